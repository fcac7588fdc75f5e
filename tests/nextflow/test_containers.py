"""The container images: Dockerfiles, locked requirements, and containers/build.py's use of the
docker SDK, checked without a container engine (a recording stand-in for the SDK client)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import re
import sys
import tarfile

import pytest

import metevo
from nf_harness import REPO, image_distributions

# The packages each family's steps need (the list), besides metevo itself.
FAMILY_PACKAGES = {
    "metevo-variants": {"numpy", "pandas", "pysam", "jsonschema", "pyyaml"},
    "metevo-stats": {"numpy", "pandas", "scipy", "numba", "statsmodels", "jsonschema", "pyyaml"},
    "metevo-copynumber": {"numpy", "pandas", "scipy", "numba", "isal", "pysam", "matplotlib", "jsonschema", "pyyaml"},
    "metevo-report": {"numpy", "pandas", "matplotlib", "scipy", "jsonschema", "pyyaml"},
}
BUILD_PACKAGES = {"setuptools"}  # builds metevo inside the image


def _load_build():
    spec = importlib.util.spec_from_file_location("metevo_container_build", REPO / "containers" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = _load_build()


def module_containers() -> dict[str, str]:
    """process -> container, read from the modules independently of build.py."""
    found = {}
    for module in sorted(REPO.glob("modules/local/*/main.nf")):
        text = module.read_text(encoding="utf-8")
        (process,) = re.findall(r"^process (\w+)", text, re.M)
        (container,) = re.findall(r"^\s*container\s+'([^']+)'", text, re.M)
        found[process] = container
    return found


class RecordingImage:
    def __init__(self, calls: list, reference: str) -> None:
        self.calls, self.reference = calls, reference

    def tag(self, repository, tag=None, **kwargs):
        self.calls.append(("tag", self.reference, repository, tag))
        return True


class RecordingImages:
    def __init__(self, calls: list) -> None:
        self.calls = calls

    def build(self, **kwargs):
        with tarfile.open(fileobj=io.BytesIO(kwargs["fileobj"].read())) as tar:
            kwargs["members"] = sorted(tar.getnames())
        del kwargs["fileobj"]
        self.calls.append(("build", kwargs))
        return RecordingImage(self.calls, kwargs["tag"]), iter([{"stream": "Successfully built"}])

    def push(self, repository, tag=None, **kwargs):
        self.calls.append(("push", repository, tag))
        return iter([{"status": "Pushed"}])


class RecordingClient:
    """Stands in for docker.DockerClient: records build/tag/push instead of talking to an engine."""

    def __init__(self) -> None:
        self.calls: list = []
        self.images = RecordingImages(self.calls)


def _builds(client) -> dict[str, dict]:
    return {kwargs["tag"]: kwargs for kind, kwargs in (c[:2] for c in client.calls if c[0] == "build")}


def test_build_makes_exactly_the_images_the_modules_use():
    client = RecordingClient()
    assert build.main([], client=client) == 0
    builds = _builds(client)
    assert set(builds) == set(module_containers().values())
    for reference, kwargs in builds.items():
        family = reference.split(":")[0].split("/")[-1]
        assert reference == f"metevo/{family}:{metevo.__version__}"
        assert kwargs["dockerfile"] == f"containers/{family}/Dockerfile"
        assert kwargs["custom_context"] is True
        assert kwargs["buildargs"] == {"METEVO_VERSION": metevo.__version__}
        processes = {p for p, c in module_containers().items() if c == reference}
        assert set(kwargs["labels"]["org.metevo.processes"].split(",")) == processes
    assert not [c for c in client.calls if c[0] in ("tag", "push")]


def test_build_context_is_the_repository_root_minus_what_images_do_not_need():
    client = RecordingClient()
    build.main(["metevo-stats"], client=client)
    (kwargs,) = _builds(client).values()
    members = set(kwargs["members"])
    assert {"containers/metevo-stats/Dockerfile", "containers/metevo-stats/requirements.txt", "pyproject.toml", "src/metevo/cli.py"} <= members
    assert not [m for m in members if m.startswith((".git", ".venv", ".metevo-tools", "tests/", "containers/metevo-variants"))]
    assert not [m for m in members if "__pycache__" in m or ".egg-info" in m]


def test_registry_tags_and_pushes_the_names_nextflow_pulls():
    """With docker.registry = R, Nextflow pulls R/<container>: that is what --registry pushes."""
    client = RecordingClient()
    build.main(["--registry", "registry.example.org/lab", "--push", "--base", "debian:bookworm"], client=client)
    tags = {(c[1], c[2], c[3]) for c in client.calls if c[0] == "tag"}
    pushes = {(c[1], c[2]) for c in client.calls if c[0] == "push"}
    expected = {(ref, f"registry.example.org/lab/{ref.rsplit(':', 1)[0]}", ref.rsplit(":", 1)[1]) for ref in set(module_containers().values())}
    assert tags == expected
    assert pushes == {(repo, tag) for _, repo, tag in expected}
    assert all(kwargs["buildargs"]["BASE"] == "debian:bookworm" for kwargs in _builds(client).values())
    # each image is pushed after it is built and tagged
    order = [c[0] for c in client.calls]
    assert order == ["build", "tag", "push"] * len(expected)


def test_push_without_registry_pushes_the_module_names():
    client = RecordingClient()
    build.main(["metevo-report", "--push"], client=client)
    assert [c for c in client.calls if c[0] == "push"] == [("push", "metevo/metevo-report", metevo.__version__)]


def test_unknown_family_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build.main(["metevo-nope"], client=RecordingClient())
    assert exit_info.value.code == 2
    assert "metevo-nope" in capsys.readouterr().err


@pytest.mark.parametrize("family", sorted(FAMILY_PACKAGES))
def test_dockerfile_follows_the_recipe(family):
    text = (REPO / "containers" / family / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG BASE=debian:bookworm-slim$", text, re.M)
    assert re.search(r"^FROM \$\{BASE\}$", text, re.M)
    assert re.search(r"^ARG PIP_CERT=$", text, re.M)
    assert re.search(r"apt-get install .*\bpython3\b.*\bprocps\b", text)
    assert f"COPY containers/{family}/requirements.txt " in text
    assert "--require-hashes" in text and "--no-deps" in text
    assert re.search(r"^USER (?!root\b|0\b)\w+", text, re.M), "the image runs as a non-root user"
    assert f'org.opencontainers.image.title="{family}"' in text
    # everything the Dockerfile copies is in the build context build.py sends
    members = {m.as_posix() for m in build.context_members(build.Image(f"metevo/{family}:x"))}
    for source in re.findall(r"^COPY (\S+) ", text, re.M):
        assert source in members or any(m.startswith(source.rstrip("/") + "/") for m in members), f"COPY {source} is not in the context"


@pytest.mark.parametrize("family", sorted(FAMILY_PACKAGES))
def test_requirements_are_locked_from_the_family_pins(family):
    folder = REPO / "containers" / family
    pins = dict(
        re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$", (folder / "requirements.in").read_text(encoding="utf-8"), re.M)
    )
    assert {name.lower() for name in pins} == FAMILY_PACKAGES[family] | BUILD_PACKAGES
    locked = (folder / "requirements.txt").read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", locked, re.M)
    assert len(entries) == len(re.findall(r"==", locked)), "every locked package carries sha256 hashes"
    versions = {name.lower(): version for name, version, _ in entries}
    for name, version in pins.items():
        assert versions.get(name.lower()) == version, f"{name} pinned {version} in requirements.in, locked {versions.get(name.lower())}"
    assert image_distributions(family) == {n.replace("_", "-") for n in versions}


@pytest.mark.parametrize("family", sorted(FAMILY_PACKAGES))
def test_images_pin_the_major_versions_the_tests_run_with(family):
    """The test suite vouches for the pinned packages only if it runs with the same major
    versions (pandas 2 and 3 differ in behaviour; a fresh test venv may get newer patches)."""
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$", (REPO / "containers" / family / "requirements.in").read_text(), re.M)
    differ = {}
    for name, version in pins:
        if name.lower() in BUILD_PACKAGES:
            continue
        installed = importlib.metadata.version(name)
        if installed.split(".")[0] != version.split(".")[0]:
            differ[name] = (version, installed)
    assert not differ, f"pinned vs installed here: {differ}; update requirements.in and run containers/lock.py"
