from __future__ import annotations

import pytest

from nf_cohort import CnCohort, Cohort
from nf_harness import LanguageServer, require_tool_venv


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "containers: builds the container images with buildah (needs METEVO_TEST_CONTAINERS=1, root, buildah, debootstrap)",
    )


@pytest.fixture(scope="session")
def nfls():
    """Nextflow's language server, started once per session (skips when not installed)."""
    server = LanguageServer(require_tool_venv())
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def check(nfls) -> dict:
    """The language server's report on every .nf and .config file (see nfls_driver.py)."""
    return nfls.check()


@pytest.fixture(scope="session")
def cohort(tmp_path_factory) -> Cohort:
    return Cohort(tmp_path_factory.mktemp("cohort"))


@pytest.fixture(scope="session")
def cn_cohort(tmp_path_factory) -> CnCohort:
    return CnCohort(tmp_path_factory.mktemp("cn_cohort"))
