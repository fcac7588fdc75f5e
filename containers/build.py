#!/usr/bin/env python3
"""Build, tag and push the metevo step images with the docker SDK.

    python3 containers/build.py                      # build every image the modules use
    python3 containers/build.py --registry ghcr.io/lab --push
    python3 containers/build.py --list               # the image names, one per line
    python3 containers/build.py --export-context DIR metevo-variants

The image names come from the ``container`` directives of ``modules/local/*/main.nf``: the
modules are the single source of truth, so what is built is exactly what Nextflow pulls.
An image ``metevo/<family>:<tag>`` is built from ``containers/<family>/Dockerfile``.

The build context is the repository root, restricted to what the Dockerfiles copy
(``CONTEXT``), so a build never uploads .git, virtual environments or results.
``--registry R`` also tags (and with ``--push`` pushes) ``R/metevo/<family>:<tag>``, the name
Nextflow pulls when its config says ``docker.registry = 'R'``. Without a Docker engine use
containers/build-offline.sh (buildah).
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What the Dockerfiles COPY from the repository root (besides containers/<family>/).
CONTEXT = ("pyproject.toml", "src")
_CONTAINER = re.compile(r"^\s*container\s+['\"]([^'\"]+)['\"]", re.M)
_PROCESS = re.compile(r"^\s*process\s+([A-Z0-9_]+)\s*\{", re.M)


@dataclass
class Image:
    reference: str  # as in the modules: "metevo/metevo-variants:0.1.0"
    processes: list[str] = field(default_factory=list)

    @property
    def repository(self) -> str:
        return self.reference.rsplit(":", 1)[0]

    @property
    def tag(self) -> str:
        return self.reference.rsplit(":", 1)[1]

    @property
    def family(self) -> str:
        """The folder under containers/: the last part of the repository name."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def dockerfile(self) -> str:
        return f"containers/{self.family}/Dockerfile"


def module_images(repo: Path = REPO) -> dict[str, Image]:
    """Image reference -> Image, from the ``container`` directive of every module."""
    images: dict[str, Image] = {}
    for module in sorted(repo.glob("modules/local/*/main.nf")):
        text = module.read_text(encoding="utf-8")
        processes = _PROCESS.findall(text)
        containers = _CONTAINER.findall(text)
        if len(processes) != 1 or len(containers) != 1:
            raise SystemExit(f"{module.relative_to(repo)}: expected one process with one container directive")
        reference = containers[0]
        if ":" not in reference.rsplit("/", 1)[-1]:
            raise SystemExit(f"{module.relative_to(repo)}: container '{reference}' has no tag")
        images.setdefault(reference, Image(reference)).processes.append(processes[0])
    return images


def context_members(image: Image, repo: Path = REPO) -> list[Path]:
    """Files of the build context of ``image`` (paths relative to the repository root)."""
    members = []
    for top in (*CONTEXT, f"containers/{image.family}"):
        path = repo / top
        if path.is_file():
            members.append(Path(top))
        elif path.is_dir():
            for f in sorted(path.rglob("*")):
                skip = any(part == "__pycache__" or part.endswith(".egg-info") for part in f.parts) or f.suffix == ".pyc"
                if f.is_file() and not skip:
                    members.append(f.relative_to(repo))
        else:
            raise SystemExit(f"build context: {top} is missing from the repository")
    return members


def context_tar(image: Image, repo: Path = REPO) -> io.BytesIO:
    """The build context as a tar archive with fixed owners and times (reproducible)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for member in context_members(image, repo):
            info = tar.gettarinfo(str(repo / member), arcname=member.as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            with open(repo / member, "rb") as fh:
                tar.addfile(info, fh)
    buffer.seek(0)
    return buffer


def export_context(image: Image, target: Path, repo: Path = REPO) -> None:
    """Copy the build context of ``image`` into ``target`` (for buildah)."""
    for member in context_members(image, repo):
        (target / member).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / member, target / member)


def build_all(
    client,
    images: list[Image],
    *,
    registry: str | None = None,
    push: bool = False,
    base: str | None = None,
    repo: Path = REPO,
    log=print,
) -> list[str]:
    """Build every image with ``client`` (a ``docker.DockerClient``); returns the names made."""
    made = []
    for image in images:
        buildargs = {"METEVO_VERSION": image.tag}
        if base:
            buildargs["BASE"] = base
        log(f"building {image.reference} from {image.dockerfile} (for {', '.join(image.processes)})")
        built, _ = client.images.build(
            fileobj=context_tar(image, repo),
            custom_context=True,
            dockerfile=image.dockerfile,
            tag=image.reference,
            buildargs=buildargs,
            rm=True,
            labels={"org.metevo.processes": ",".join(image.processes)},
        )
        made.append(image.reference)
        targets = [(image.repository, image.tag)]
        if registry:
            remote = f"{registry.rstrip('/')}/{image.repository}"
            built.tag(remote, tag=image.tag)
            made.append(f"{remote}:{image.tag}")
            targets = [(remote, image.tag)]
        if push:
            for repository, tag in targets:
                log(f"pushing {repository}:{tag}")
                for line in client.images.push(repository, tag=tag, stream=True, decode=True):
                    if "error" in line:
                        raise SystemExit(f"push of {repository}:{tag} failed: {line['error']}")
    return made


def main(argv: list[str] | None = None, client=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("families", nargs="*", help="image families to build, e.g. metevo-variants (default: all)")
    parser.add_argument("--registry", help="also tag as REGISTRY/<name>:<tag> (Nextflow: docker.registry = REGISTRY)")
    parser.add_argument("--push", action="store_true", help="push the images (to --registry when given)")
    parser.add_argument("--base", help="base image (Dockerfile ARG BASE; default debian:bookworm-slim)")
    parser.add_argument("--list", action="store_true", help="print the image names and exit")
    parser.add_argument("--export-context", metavar="DIR", help="copy the build context of the one family named into DIR and exit")
    args = parser.parse_args(argv)

    images = list(module_images().values())
    known = {i.family for i in images}
    unknown = sorted(set(args.families) - known)
    if unknown:
        parser.error(f"unknown image family {', '.join(unknown)}; the modules use: {', '.join(sorted(known))}")
    if args.families:
        images = [i for i in images if i.family in args.families]
    if args.list:
        for image in images:
            print(f"{image.family}\t{image.reference}")
        return 0
    if args.export_context:
        if len(images) != 1:
            parser.error("--export-context needs exactly one image family")
        export_context(images[0], Path(args.export_context))
        return 0
    if client is None:
        import docker  # only building needs the SDK

        client = docker.from_env()
    build_all(client, images, registry=args.registry, push=args.push, base=args.base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
