"""Each image's requirements are enough for its steps.

Every task of `metevo run` on the test cohort runs in a Python that can import only the
standard library, metevo and the packages locked in its process's image
(containers/<family>/requirements.txt; the family comes from the module's container
directive); any other import fails as it would in the image. Steps import heavy packages
lazily, inside the functions that use them, so only running the steps finds every import.
"""

from __future__ import annotations

import pytest

from metevo.pipeline import STEPS
from nf_cohort import CnCohort, Cohort
from nf_harness import image_env, image_imports, module_family


def _guard(task):
    return image_env(module_family(task.process))


@pytest.fixture(scope="module")
def guarded_cohorts(tmp_path_factory) -> list[Cohort]:
    """The mutation cohort and the copy-number cohort: together they have a task of every step."""
    return [Cohort(tmp_path_factory.mktemp("guarded"), task_env=_guard), CnCohort(tmp_path_factory.mktemp("guarded_cn"), task_env=_guard)]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.process)
def test_step_runs_with_only_its_image_packages(guarded_cohorts, step):
    ran = 0
    for cohort in guarded_cohorts:
        for task in [t for t in cohort.tasks.values() if t.process == step.process]:
            done = cohort.run(task.id)
            assert done.returncode == 0, f"{task.id} in the {module_family(step.process)} image: {done.stderr.strip()[-2000:]}"
            ran += 1
    assert ran, f"the test cohorts have no {step.process} task"


def test_guard_blocks_what_an_image_lacks(tmp_path):
    """A control: in the variants image, matplotlib cannot be imported; numpy can."""
    import subprocess
    import sys

    assert "matplotlib" not in image_imports("metevo-variants") and "numpy" in image_imports("metevo-variants")
    env = image_env("metevo-variants")
    blocked = subprocess.run([sys.executable, "-c", "import matplotlib"], env=env, capture_output=True, text=True)
    allowed = subprocess.run([sys.executable, "-c", "import numpy, pandas, pysam, yaml, jsonschema, metevo.cli"], env=env, capture_output=True, text=True)
    assert blocked.returncode != 0 and "not in its requirements.txt" in blocked.stderr
    assert allowed.returncode == 0, allowed.stderr
