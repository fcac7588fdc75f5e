"""Run planned tasks on one machine: in parallel worker processes, skipping up-to-date tasks.

A task is up to date when its record in ``<outdir>/.metevo/tasks/`` has the same key (command
line, metevo code fingerprint, and the signature of every input file) and its outputs still
have the signatures recorded when it finished. Signatures are content hashes (sha256) for
files up to 256 MiB and (size, mtime) above that, the trade-off Nextflow's ``-resume`` makes
by default for all files. A task whose upstream re-ran but wrote identical bytes is therefore
still skipped.

Workers call ``metevo.cli.main(argv)``: the same code path as running the command by hand.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import io
import json
import os
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from metevo import __version__
from metevo.errors import StepFailed
from metevo.runner.plan import Task

HASH_LIMIT = 256 * 1024 * 1024


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the package's source, so a changed step re-runs even without a version bump."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json", ".tsv", ".css", ".js") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def file_signature(path: str) -> str | None:
    if "://" in path:
        return f"uri:{path}"
    try:
        st = os.stat(path)
    except OSError:
        return None
    if st.st_size > HASH_LIMIT:
        return f"stat:{st.st_size}:{st.st_mtime_ns}"
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def task_key(task: Task) -> str:
    payload = {
        "argv": task.argv,
        "code": code_fingerprint(),
        "inputs": {p: file_signature(p) for p in task.inputs},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class TaskCache:
    def __init__(self, outdir: Path) -> None:
        self.dir = outdir / ".metevo" / "tasks"

    def _record(self, task: Task) -> Path:
        return self.dir / (task.id.replace(":", "__") + ".json")

    def is_current(self, task: Task) -> bool:
        path = self._record(task)
        if not path.exists():
            return False
        try:
            record = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            return False
        if record.get("key") != task_key(task):
            return False
        return all(file_signature(p) == sig for p, sig in record.get("outputs", {}).items()) and set(
            record.get("outputs", {})
        ) == set(task.outputs)

    def store(self, task: Task) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        record = {"key": task_key(task), "outputs": {p: file_signature(p) for p in task.outputs}}
        tmp = self._record(task).with_suffix(".part")
        tmp.write_text(json.dumps(record, sort_keys=True, indent=1))
        os.replace(tmp, self._record(task))

    def forget(self, task: Task) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._record(task).unlink()


def _run_in_worker(argv: list[str]) -> tuple[int, str]:
    """Run one step command; return its exit code and what it printed on stderr."""
    from metevo.cli import main

    err = io.StringIO()
    # a step's own stdout (e.g. validate's summary line) would garble the progress display
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue()


@dataclass
class Progress:
    """One line per finished task in logs; on a terminal, one status line updated in place."""

    total: int
    stream: object = sys.stderr
    quiet: bool = False
    done: int = 0
    cached: int = 0

    def __post_init__(self) -> None:
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.running: dict[str, None] = {}

    def _status_line(self) -> str:
        names = ", ".join(list(self.running)[:3]) + (" ..." if len(self.running) > 3 else "")
        return f"[{self.done}/{self.total}] {self.cached} up to date, {len(self.running)} running: {names}"

    def event(self, task: Task, status: str, seconds: float | None = None) -> None:
        if status == "start":
            self.running[task.label] = None
        else:
            self.running.pop(task.label, None)
            self.done += 1
            self.cached += status == "cached"
        if self.quiet:
            return
        width = len(str(self.total))
        timing = f" {seconds:.1f}s" if seconds is not None else ""
        if self.live:
            if status in ("done", "failed"):
                print(f"\r\033[K[{self.done:>{width}}/{self.total}] {status:<6} {task.label}{timing}", file=self.stream)
            print(f"\r\033[K{self._status_line()}"[:200], end="", file=self.stream, flush=True)
        elif status != "start":
            print(f"[{self.done:>{width}}/{self.total}] {status:<6} {task.label}{timing}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.live and not self.quiet:
            print("\r\033[K", end="", file=self.stream, flush=True)


def execute(tasks: list[Task], outdir: Path, *, cpus: int = 1, force: bool = False, quiet: bool = False,
            done: dict[str, str] | None = None) -> dict[str, str]:
    """Run ``tasks`` respecting their dependencies. Returns task id -> 'done' | 'cached'.
    ``done``: tasks of an earlier call (id -> status) that are not run again.

    Stops scheduling at the first failure, waits for running tasks, and raises
    :class:`StepFailed` carrying the failed task's own one-line error.
    """
    cache = TaskCache(outdir)
    status: dict[str, str] = dict(done or {})
    progress = Progress(total=len(tasks), quiet=quiet)
    progress.done = sum(1 for t in tasks if t.id in status)
    pending = [t for t in tasks if t.id not in status]
    running: dict[cf.Future, tuple[Task, float]] = {}
    failure: tuple[Task, str] | None = None

    with cf.ProcessPoolExecutor(max_workers=max(1, cpus)) as pool:
        while pending or running:
            while failure is None:
                ready = [t for t in pending if all(status.get(d) in ("done", "cached") for d in t.deps)]
                if not ready:
                    break
                for task in ready:
                    pending.remove(task)
                    if not force and cache.is_current(task):
                        status[task.id] = "cached"
                        progress.event(task, "cached")
                        continue
                    cache.forget(task)
                    progress.event(task, "start")
                    running[pool.submit(_run_in_worker, task.argv)] = (task, time.monotonic())
            if not running:
                break
            finished, _ = cf.wait(list(running), return_when=cf.FIRST_COMPLETED)
            for future in finished:
                task, started = running.pop(future)
                code, err = future.result()
                elapsed = time.monotonic() - started
                if code == 0:
                    cache.store(task)
                    status[task.id] = "done"
                    progress.event(task, "done", elapsed)
                else:
                    progress.event(task, "failed", elapsed)
                    message = " ".join(line.strip() for line in err.strip().splitlines()[-1:]) or f"exit code {code}"
                    if failure is None:
                        failure = (task, message)
            if failure is not None:
                pending.clear()
    progress.close()
    if failure is not None:
        task, message = failure
        raise StepFailed(f"task {task.label} failed: {message}")
    return status
