"""All-or-nothing output.

A step declares its outputs inside ``with Outputs() as out:`` and writes each to
``out.path(final_path)``, a temporary sibling. Only when the block finishes without an
exception are the temporaries renamed onto their final names; on any error they are removed,
so a failed step never leaves a half-written or stale-looking file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)


class Outputs:
    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []
        self._created_dirs: list[Path] = []

    def _make_parent(self, directory: Path) -> None:
        missing = []
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for d in reversed(missing):
            d.mkdir(exist_ok=True)
            self._created_dirs.append(d)

    def path(self, final: str | os.PathLike) -> Path:
        final = Path(final)
        self._make_parent(final.parent.absolute())
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs get ordinary permissions
        tmp_path = Path(tmp)
        self._pending.append((tmp_path, final))
        return tmp_path

    def __enter__(self) -> "Outputs":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            for tmp, final in self._pending:
                os.replace(tmp, final)
        else:
            for tmp, _ in self._pending:
                try:
                    tmp.unlink()
                except FileNotFoundError:
                    pass
            for d in reversed(self._created_dirs):  # deepest first; leave no empty folders
                try:
                    d.rmdir()
                except OSError:
                    pass
        self._pending.clear()
        self._created_dirs.clear()
        return False
