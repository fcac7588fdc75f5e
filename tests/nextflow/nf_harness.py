"""Helpers of the offline Nextflow checks: the language-server client, Mermaid and process
declaration parsing, Nextflow's input staging rules, and running a rendered task.

See /work/shared/docs/nextflow-static-check.md and docs/nextflow.md ("Offline checks").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("nfls_driver.py")
TOOL_VENV = REPO / ".metevo-tools" / "nfls"
# Errors the language server reports because it cannot reach the plugin registry offline.
OFFLINE_ERROR = re.compile(r"Plugin '[^']*' does not exist")


def tool_python() -> Path | None:
    """The tool venv's python (METEVO_NFLS_PYTHON overrides), or None when it is missing."""
    override = os.environ.get("METEVO_NFLS_PYTHON")
    candidate = Path(override) if override else TOOL_VENV / "bin" / "python"
    return candidate if candidate.is_file() and shutil.which("java") else None


def require_tool_venv() -> Path:
    """Skip (or fail, under METEVO_REQUIRE_NFLS=1) when the language server is not installed."""
    python = tool_python()
    if python is None:
        message = "Nextflow language server not installed (run scripts/setup-nfls.sh; needs java)"
        if os.environ.get("METEVO_REQUIRE_NFLS") == "1":
            pytest.fail(message + " and METEVO_REQUIRE_NFLS=1", pytrace=False)
        pytest.skip(message)
    return python


class LanguageServer:
    """A running ``nfls_driver.py`` (JSON lines over a pipe)."""

    def __init__(self, python: Path, root: Path = REPO) -> None:
        self.stderr = open(os.devnull, "w")  # the registry look-ups' stack traces
        self.proc = subprocess.Popen(
            [str(python), str(DRIVER), "--root", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        self._check: dict | None = None

    def request(self, payload: dict) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(payload) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"language-server driver exited ({self.proc.poll()})")
        return json.loads(line)

    def check(self) -> dict:
        if self._check is None:
            self._check = self.request({"op": "check"})
            if "error" in self._check:
                raise RuntimeError(self._check["error"])
        return self._check

    def eval(self, code: str, binding: dict | None = None):
        answer = self.request({"op": "eval", "code": code, "binding": binding or {}})
        if "error" in answer:
            raise AssertionError(f"Groovy evaluation failed: {answer['error']}\n--- code ---\n{code}")
        return answer["value"]

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.stderr.close()


# ---- Mermaid (previewDag) ---------------------------------------------------------------

_NODE = re.compile(r'^\s*(v\d+)(\(\[(?P<process>[^\]]+)\]\)|\["(?P<value>[^"]*)"\]|\("(?P<label>[^"]*)"\))\s*$')
_EDGE = re.compile(r"^\s*(v\d+)\s*-->\s*(v\d+)\s*$")
_CLICK = re.compile(r'^\s*click\s+(v\d+)\s+href\s+"([^"]+)"')


@dataclass
class Dag:
    calls: dict[str, str] = field(default_factory=dict)  # node id -> called process/workflow name
    links: dict[str, str] = field(default_factory=dict)  # node id -> file URI of the callee
    edges: set[tuple[str, str]] = field(default_factory=set)

    def call_edges(self) -> set[tuple[str, str]]:
        """Edges between two called components (processes or workflows), by name."""
        return {(self.calls[a], self.calls[b]) for a, b in self.edges if a in self.calls and b in self.calls}


def parse_mermaid(text: str) -> Dag:
    dag = Dag()
    for line in text.splitlines():
        if m := _NODE.match(line):
            if m.group("process"):
                dag.calls[m.group(1)] = m.group("process")
        elif m := _EDGE.match(line):
            dag.edges.add((m.group(1), m.group(2)))
        elif m := _CLICK.match(line):
            dag.links[m.group(1)] = m.group(2)
    return dag


# ---- process declarations ---------------------------------------------------------------


@dataclass
class Declared:
    """One input/output item: ``path(x, stageAs: ...)``, ``val(meta)``, ``path "a.txt"``."""

    kind: str  # 'val' | 'path' | 'tuple-end' not used
    name: str | None  # variable name (inputs) or None
    pattern: str | None  # output pattern (outputs) or stageAs (inputs)
    arity: str | None = None
    topic: str | None = None
    emit: str | None = None
    optional: bool = False  # an output declared with optional: true may capture nothing


def _split_top(text: str) -> list[str]:
    parts, depth, quote, current = [], 0, None, []
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def _options(parts: list[str]) -> dict[str, str]:
    options = {}
    for part in parts:
        if m := re.match(r"^(\w+)\s*:\s*(.+)$", part, re.S):
            options[m.group(1)] = m.group(2).strip().strip("'\"")
    return options


def _item(text: str, output: bool) -> Declared:
    text = text.strip()
    m = re.match(r"^(val|path|env|stdout)\s*(?:\((.*)\)|\s+(.*))?$", text, re.S)
    if not m:
        raise ValueError(f"cannot read the declaration {text!r}")
    kind, inner = m.group(1), m.group(2) if m.group(2) is not None else (m.group(3) or "")
    parts = _split_top(inner)
    first = parts[0] if parts else ""
    options = _options(parts[1:])
    if output:
        pattern = first.strip("'\"") if kind == "path" else None
        return Declared(kind, None if kind == "path" else first, pattern, options.get("arity"))
    return Declared(kind, first, options.get("stageAs"), options.get("arity"))


def parse_declarations(block: str, *, output: bool) -> list[list[Declared]]:
    """The declarations of an ``input:`` or ``output:`` block, one list of items per line."""
    lines = [ln.strip() for ln in block.splitlines()]
    found = []
    for line in lines:
        if not line or line.startswith("//") or line.endswith(":") and line[:-1] in ("input", "output"):
            continue
        if line.startswith("tuple "):
            parts = _split_top(line[len("tuple "):])
        else:
            parts = _split_top(line)
        items, options = [], {}
        for part in parts:
            if re.match(r"^(emit|topic|optional)\s*:", part):
                options.update(_options([part]))
            else:
                items.append(_item(part, output))
        for item in items:
            item.emit = options.get("emit")
            item.topic = options.get("topic")
            item.optional = str(options.get("optional", "")).strip() == "true"
        found.append(items)
    return found


# ---- staging: Nextflow's expandWildcards (TaskProcessor) --------------------------------


def stage_names(pattern: str | None, files: list[Path]) -> list[str]:
    """Where Nextflow stages ``files`` for a ``path`` input with ``stageAs: pattern``.

    The rules of nextflow.processor.TaskProcessor.expandWildcards/expandWildcards0: in the file
    name '*' alone keeps the file's name, other '*' become the 1-based index (dropped when
    there is only one file), '?' the zero-padded index; in folders '*' is always the index.
    """
    if not files:
        return []
    if not pattern or pattern == "*":
        return [f.name for f in files]
    if "*" not in pattern and "?" not in pattern and len(files) > 1:
        pattern += "*"

    def fill(text: str, index: int, strip: bool) -> str:
        text = text.replace("*", "" if strip else str(index))
        return re.sub(r"\?+", lambda m: str(index).zfill(len(m.group(0))), text)

    names = []
    for index, f in enumerate(files, start=1):
        parent, _, name = pattern.rpartition("/")
        name = f.name if name in ("*", "") else fill(name, index, len(files) <= 1)
        names.append(f"{fill(parent, index, False)}/{name}" if parent else name)
    return names


# ---- a process's script, rendered and run -----------------------------------------------


@dataclass
class Task:
    process: str
    block: str  # 'script' | 'stub'
    workdir: Path
    script: str
    result: subprocess.CompletedProcess | None = None


def dedent_script(text: str) -> str:
    """Nextflow strips the script's common indentation before writing .command.sh."""
    return textwrap.dedent(text).strip("\n") + "\n"


class Pipeline:
    """What the language server knows of the pipeline, evaluated the way Nextflow would."""

    def __init__(self, ls: LanguageServer, workflow: str = "METEVO") -> None:
        self.ls = ls
        self.report = ls.check()
        self.workflow = workflow

    # -- configuration ---------------------------------------------------------------

    def config_entries(self, profiles: tuple[str, ...] = ()) -> list[dict]:
        """Assignments of nextflow.config and the files it includes, in Nextflow's order."""
        by_file: dict[str, list[dict]] = {}
        for entry in self.report["config"]:
            by_file.setdefault(entry["file"], []).append(entry)
        ordered: list[dict] = []

        def visit(name: str) -> None:
            for entry in by_file.get(name, []):
                scope = entry["scope"]
                if scope[:1] == ["profiles"]:
                    if len(scope) < 2 or scope[1] not in profiles:
                        continue
                    entry = {**entry, "scope": scope[2:]}
                if "include" in entry:
                    target = entry["include"].get("constant") or entry["include"].get("source", "").strip("'\"")
                    visit(target)
                else:
                    ordered.append(entry)

        visit("nextflow.config")
        return ordered

    def value(self, entry: dict, binding: dict):
        if "constant" in entry:
            return entry["constant"]
        code = f"def __value = ({entry['source']})\n__value instanceof Closure ? __value.call() : __value"
        return self.ls.eval(code, binding)

    def params(self, overrides: dict | None = None, profiles: tuple[str, ...] = ()) -> dict:
        values: dict = {}
        for entry in self.config_entries(profiles):
            if entry["scope"] == ["params"]:
                values[entry["names"][0]] = self.value(entry, {"params": dict(values), "projectDir": str(REPO)})
            elif entry["scope"] == [] and entry["names"][:1] == ["params"]:
                values[entry["names"][1]] = self.value(entry, {"params": dict(values), "projectDir": str(REPO)})
        values.update(overrides or {})
        return values

    def labels(self, process: str) -> list[str]:
        directives = self.report["processes"][process]["directives"] or ""
        return re.findall(r"^\s*label\s+['\"]([^'\"]+)['\"]", directives, re.M)

    def process_entries(self, process: str) -> list[dict]:
        """Process-scope assignments that apply to ``process``, later ones overriding earlier."""
        fq = f"{self.workflow}:{process}"
        found = []
        for entry in self.config_entries():
            scope = entry["scope"]
            if scope[:1] != ["process"] and not (scope == [] and entry["names"][:1] == ["process"]):
                continue
            names = entry["names"][1:] if scope == [] else entry["names"]
            selectors = scope[1:]
            ok = True
            for selector in selectors:
                kind, _, pattern = selector.partition(":")
                if kind == "withName":
                    ok &= bool(re.fullmatch(pattern, process) or re.fullmatch(pattern, fq))
                elif kind == "withLabel":
                    ok &= any(re.fullmatch(pattern, label) for label in self.labels(process))
                else:
                    ok = False
            if ok:
                found.append({**entry, "names": names})
        return found

    def directive(self, process: str, names: list[str], binding: dict):
        entry = None
        for candidate in self.process_entries(process):
            if candidate["names"] == names:
                entry = candidate
        return None if entry is None else self.value(entry, binding)

    # -- tasks -----------------------------------------------------------------------

    def task_map(self, process: str, params: dict, variables: dict) -> dict:
        task = {"process": f"{self.workflow}:{process}", "name": f"{self.workflow}:{process} (1)", "attempt": 1, "cpus": 1, "index": 1}
        binding = {**variables, "params": params, "task": task}
        ext = {}
        for entry in self.process_entries(process):
            if entry["names"][:1] == ["ext"]:
                ext[entry["names"][1]] = self.value(entry, binding)
        return {**task, "ext": ext}

    def inputs(self, process: str) -> list[Declared]:
        return [item for line in parse_declarations(self.report["processes"][process]["inputs"], output=False) for item in line]

    def outputs(self, process: str) -> list[Declared]:
        return [item for line in parse_declarations(self.report["processes"][process]["outputs"], output=True) for item in line]

    def stage(self, process: str, values: dict, workdir: Path) -> tuple[dict, set[Path]]:
        """Stage path inputs into ``workdir`` as Nextflow does (symlinks); bind the variables."""
        variables, staged = {}, set()
        for item in self.inputs(process):
            if item.name not in values:
                raise KeyError(f"{process}: no test value for input '{item.name}'")
            value = values[item.name]
            if item.kind != "path":
                variables[item.name] = value
                continue
            files = [Path(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
            names = stage_names(item.pattern, files)
            for source, name in zip(files, names):
                target = workdir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(source.resolve())
                staged.add(target)
            # Nextflow (TaskProcessor.singleItemOrList): one file is a path when the arity's
            # maximum is 1 ('1', '0..1') or no arity is given; otherwise a list
            single = item.arity is None or item.arity.split("..")[-1] == "1"
            many = not single or len(files) != 1
            bound = [{"$path": n} for n in names]
            variables[item.name] = bound if many else bound[0]
        return variables, staged

    def render(self, process: str, block: str, values: dict, workdir: Path, params: dict | None = None) -> tuple[str, dict, set[Path]]:
        """The task's .command.sh for ``block`` ('script' or 'stub') on these input values."""
        info = self.report["processes"][process]
        source = info[block]
        assert source, f"{process} has no {block}: block"
        params = self.params() if params is None else params
        variables, staged = self.stage(process, values, workdir)
        task = self.task_map(process, params, variables)
        binding = {**variables, "params": params, "task": task}
        code = "\n".join(info["functions"]) + "\n" + source
        text = self.ls.eval(code, binding)
        assert isinstance(text, str), f"{process} {block}: the block evaluated to {type(text).__name__}, not a script"
        return dedent_script(text), binding, staged

    def shell(self) -> list[str]:
        for entry in self.config_entries():
            if entry["scope"] == ["process"] and entry["names"] == ["shell"]:
                return list(self.value(entry, {}))
        return ["/bin/bash", "-ue"]

    def output_files(self, process: str, binding: dict, workdir: Path, staged: set[Path]) -> dict[str, list[Path]]:
        """Each declared output path pattern and the files of ``workdir`` it captures (an
        optional output that captures nothing is left out, as Nextflow emits nothing for it)."""
        found = {}
        for item in self.outputs(process):
            if item.kind != "path":
                continue
            if item.optional:
                pattern = self.ls.eval(f'"{item.pattern}"', binding) if "$" in item.pattern else item.pattern
                if not [p for p in workdir.glob(pattern) if p not in staged and not p.name.startswith(".")]:
                    continue
            pattern = item.pattern
            if "$" in pattern:
                pattern = self.ls.eval(f'"{pattern}"', binding)
            # Nextflow's output globs neither cross folders nor capture staged inputs
            found[item.pattern] = sorted(p for p in workdir.glob(pattern) if p not in staged and not p.name.startswith("."))
        return found


# ---- a family's image, imitated in this Python ------------------------------------------

GUARD = Path(__file__).with_name("family_guard")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def image_distributions(family: str) -> set[str]:
    """The distributions pinned in containers/<family>/requirements.txt (normalised names)."""
    text = (REPO / "containers" / family / "requirements.txt").read_text(encoding="utf-8")
    return {_normalise(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", text, re.M)}


def image_imports(family: str) -> set[str]:
    """Top-level modules that the image's distributions provide (as installed here)."""
    from importlib.metadata import packages_distributions

    wanted = image_distributions(family)
    return {module for module, dists in packages_distributions().items() if any(_normalise(d) in wanted for d in dists)}


def image_env(family: str, base: dict | None = None) -> dict:
    """An environment in which this Python can import only what the family's image has."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(GUARD), env.get("PYTHONPATH", "")]))
    env["METEVO_ALLOWED_IMPORTS"] = ",".join(sorted(image_imports(family)))
    return env


def module_family(process: str) -> str:
    """The image family of a process, from its module's container directive."""
    text = (REPO / "modules" / "local" / process.lower() / "main.nf").read_text(encoding="utf-8")
    (container,) = re.findall(r"^\s*container\s+['\"]([^'\"]+)['\"]", text, re.M)
    return container.rsplit(":", 1)[0].rsplit("/", 1)[-1]


def task_env(family: str) -> dict:
    """PATH as in a task: the pipeline's bin/ first, then this venv's metevo and python3."""
    env = image_env(family)
    env["PATH"] = os.pathsep.join([str(REPO / "bin"), str(Path(sys.executable).parent), env.get("PATH", "")])
    return env
