"""One DAG, two executors: the process wiring Nextflow's language server extracts from main.nf
(ScriptCodeLensProvider.previewDag) is exactly metevo.pipeline, which `metevo run` follows."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from metevo.pipeline import STEPS, edges
from nf_harness import REPO, parse_mermaid

pytestmark = pytest.mark.nextflow_ls


def _dag(check: dict, key: str):
    preview = check["dags"][key]
    assert "result" in preview, f"previewDag({key}) failed: {preview}"
    return parse_mermaid(preview["result"])


def _process_edges(check: dict, key: str, seen: tuple[str, ...] = ()) -> tuple[set, set]:
    """(process edges, processes called) of a workflow, following the workflows it calls."""
    dag = _dag(check, key)
    processes = set(check["processes"])
    called = {name for name in dag.calls.values() if name in processes}
    found = {(a, b) for a, b in dag.call_edges() if a in processes and b in processes}
    for node, name in dag.calls.items():
        if name in processes:
            continue
        callee = Path(urlparse(dag.links[node]).path).relative_to(REPO).as_posix()
        sub = f"{callee}:{name}"
        assert sub in check["workflows"], f"{key} calls {name}, which is neither a process nor a workflow of {callee}"
        assert sub not in seen, f"workflow recursion through {sub}"
        # a workflow wired to a process at this level would hide process edges inside it
        assert not any(name in pair and (set(pair) & processes) for pair in dag.call_edges()), (
            f"{key}: workflow {name} is wired to processes directly; compare at process level"
        )
        sub_edges, sub_called = _process_edges(check, sub, seen + (key,))
        found |= sub_edges
        called |= sub_called
    return found, called


def test_main_runs_the_metevo_workflow(check):
    dag = _dag(check, "main.nf")
    assert set(dag.calls.values()) == {"METEVO"}
    (node,) = dag.calls
    assert urlparse(dag.links[node]).path == str(REPO / "workflows" / "metevo.nf")


def test_process_edges_are_the_pipeline_edges(check):
    found, _ = _process_edges(check, "main.nf")
    assert found == edges(), f"only in main.nf: {sorted(found - edges())}; only in metevo.pipeline: {sorted(edges() - found)}"


def test_processes_called_are_the_steps(check):
    _, called = _process_edges(check, "main.nf")
    assert called == {s.process for s in STEPS}


def test_processes_defined_are_the_steps(check):
    assert {name: info["file"] for name, info in check["processes"].items()} == {
        s.process: f"{s.module_dir}/main.nf" for s in STEPS
    }
