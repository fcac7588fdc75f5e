"""Errors a user can act on.

Every problem with an input is raised as :class:`InputError` and printed by the command line
as exactly one line that names the file, the line (or row) and column, and what was expected.
Nothing else in the package prints errors; the CLI catches these at its top.
"""

from __future__ import annotations

import os


class MetevoError(Exception):
    """Base class of errors that are reported to the user as one line, without a traceback."""

    exit_code = 2

    def one_line(self) -> str:
        return " ".join(str(self).split())


class InputError(MetevoError):
    """Bad input: names the file, the line and/or column, and what was expected.

    ``line`` is the 1-based line of the file as a text editor shows it (for tables the header
    is line 1, so the first data row is line 2; for compressed files, the line of the
    decompressed text). ``column`` is a column name (tables) or a field name (VCF FORMAT/INFO).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | os.PathLike | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = os.fspath(file) if file is not None else None
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        loc = []
        if self.line is not None:
            loc.append(f"line {self.line}")
        if self.column is not None:
            loc.append(f"column '{self.column}'")
        if loc:
            where.append(", ".join(loc))
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ConfigError(MetevoError):
    """A bad command-line option or parameter value."""


class StepFailed(MetevoError):
    """A task of ``metevo run`` failed; the message carries the task's own one-line error."""
