#!/usr/bin/env bash
# The demo: install metevo in .venv, simulate a cohort, run the whole pipeline on it.
# Works on a fresh Debian/Ubuntu machine with python3 (>= 3.11); leaves demo/results/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import sys; assert sys.version_info >= (3, 11), "metevo needs Python >= 3.11"'
if [ ! -x .venv/bin/metevo ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -e .
fi
rm -rf demo
.venv/bin/metevo simulate --outdir demo/cohort --seed 1
.venv/bin/metevo run --params-file demo/cohort/params.yaml --outdir demo/results
echo "demo: open demo/results/report.html"
