"""The README starts with the demo and test commands, and CI runs exactly the test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _first_block() -> list[str]:
    text = (ROOT / "README.md").read_text()
    assert text.startswith("# metevo\n")
    block = re.search(r"```\n(.*?)```", text, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.strip().splitlines()]


def test_readme_opens_with_the_demo_and_the_test_command():
    demo, test = _first_block()
    assert demo == "bash scripts/demo.sh" and test == "bash scripts/test.sh"
    assert "metevo simulate" in (ROOT / "scripts/demo.sh").read_text()
    assert "metevo run" in (ROOT / "scripts/demo.sh").read_text()


def test_ci_runs_exactly_the_readme_test_command():
    _, test = _first_block()
    commands = [line for line in (ROOT / ".ci/run").read_text().splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert commands == [f"exec {test}"]
