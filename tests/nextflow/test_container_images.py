"""Build every image with containers/build-offline.sh (buildah, no Docker engine) and run
`metevo --version` and one real step of its family inside it; the step's tables must equal
the ones the same command writes outside the image.

Slow (minutes per image): runs only with METEVO_TEST_CONTAINERS=1, as root, with buildah and
debootstrap installed (apt-get install -y buildah debootstrap).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import metevo
from nf_cohort import Cohort
from nf_harness import REPO

pytestmark = [
    pytest.mark.slow,
    pytest.mark.containers,
    pytest.mark.skipif(os.environ.get("METEVO_TEST_CONTAINERS") != "1", reason="set METEVO_TEST_CONTAINERS=1 to build the images"),
]
BUILDAH = ["buildah", "--storage-driver", "vfs"]

# One real step per family, on the cohort mounted at /data; outputs go to /out.
STEPS = {
    "metevo-variants": ("VALIDATE", ["validate", "--samplesheet", "/data/samplesheet.csv", "--clinical", "/data/clinical.csv", "--out-summary", "/out/inputs.tsv"], "validate/inputs.tsv"),
    "metevo-stats": ("PAIR_CONCORDANCE", ["pair-concordance", "--samplesheet", "/data/samplesheet.csv", "--maf", "/data/results/merge_mafs/cohort.maf", "--outdir", "/out"], "pair_concordance/pairs.tsv"),
    "metevo-report": ("REPORT", [
        "report", "--samplesheet", "/data/samplesheet.csv", "--inputs", "/data/results/validate/inputs.tsv",
        "--maf", "/data/results/merge_mafs/cohort.maf", "--germline", "/data/results/germline/P1.germline.tsv",
        "--pairs", "/data/results/pair_concordance/pairs.tsv", "--burden", "/data/results/pair_concordance/burden.tsv",
        "--tests", "/data/results/pair_concordance/tests.tsv", "--out", "/out/report.html",
    ], None),
}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Cohort:
    if os.geteuid() != 0 or not shutil.which("buildah") or not shutil.which("debootstrap"):
        pytest.fail("the container test needs root, buildah and debootstrap", pytrace=False)
    cohort = Cohort(tmp_path_factory.mktemp("cohort"))
    cohort.result("REPORT")  # every upstream table, made outside the images
    # pytest makes its folders private to root; the images run as an ordinary user
    for folder, dirs, files in os.walk(cohort.root):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    return cohort


@pytest.mark.parametrize("family", sorted(STEPS))
def test_image_builds_and_runs_its_step(family, cohort, tmp_path):
    built = subprocess.run(["bash", str(REPO / "containers" / "build-offline.sh"), family], capture_output=True, text=True, timeout=3600)
    assert built.returncode == 0, built.stderr[-3000:]
    reference = f"metevo/{family}:{metevo.__version__}"
    assert f"metevo {metevo.__version__}" in built.stdout

    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)  # the image's user is not root
    ctr = subprocess.run([*BUILDAH, "from", reference], capture_output=True, text=True, check=True).stdout.strip()
    try:
        def run(*argv):
            return subprocess.run(
                [*BUILDAH, "run", "--isolation", "chroot", "-v", f"{cohort.root}:/data:ro", "-v", f"{out}:/out", ctr, "--", *argv],
                capture_output=True, text=True, timeout=600,
            )

        version = run("metevo", "--version")
        assert version.returncode == 0 and version.stdout.strip() == f"metevo {metevo.__version__}"
        assert run("ps", "-p", "1").returncode == 0, "Nextflow needs ps in the image"
        user = run("id", "-u")
        assert user.stdout.strip() != "0", "the image runs as a non-root user"
        process, argv, compare = STEPS[family]
        step = run("metevo", *argv)
        assert step.returncode == 0, f"{process} in {reference}: {step.stderr[-2000:]}"
    finally:
        subprocess.run([*BUILDAH, "rm", ctr], capture_output=True)
    if compare:
        inside = out / Path(compare).name
        assert inside.read_bytes() == (cohort.results / compare).read_bytes()
    else:
        assert (out / "report.html").stat().st_size > 0
