#!/usr/bin/env bash
# The test suite, from a fresh Debian machine: installs what the tests need, then runs pytest.
#   system: R with survival and DNAcopy (numeric reference only), bcftools/samtools/tabix
#           (peers the tests compare with), Java 17 (Nextflow's language server)
#   .venv:  metevo with its test extras; .metevo-tools/nfls: the language server's own venv
# Tests that need R or the language server fail (not skip) here, so CI cannot pass without them.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v Rscript >/dev/null || need+=(r-base-core r-cran-survival r-bioc-dnacopy)
Rscript -e 'library(DNAcopy); library(survival)' >/dev/null 2>&1 || need+=(r-cran-survival r-bioc-dnacopy)
command -v bcftools >/dev/null || need+=(bcftools)
command -v samtools >/dev/null || need+=(samtools)
command -v tabix >/dev/null || need+=(tabix)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -x .venv/bin/pytest ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
bash scripts/setup-nfls.sh

export METEVO_REQUIRE_R=1 METEVO_REQUIRE_NFLS=1
# pytest-workflow cannot deselect a tag, and a missing executable is an internal error:
# the YAML tests whose command is `nextflow run` only run where Nextflow is installed.
skip_nextflow=()
command -v nextflow >/dev/null || skip_nextflow=(--ignore-glob='tests/workflow/test_nextflow*.yml')
# --git-aware: pytest-workflow copies only tracked files (not .venv) into each test's folder;
# the YAML commands find this checkout's metevo first on PATH.
export PATH="$PWD/.venv/bin:$PATH"
exec .venv/bin/pytest -q --git-aware "${skip_nextflow[@]}" "$@"
