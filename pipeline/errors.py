"""The one error type for user-facing failures, and the project's exit codes."""

from __future__ import annotations

# Exit codes shared by every command (documented in the README).
EXIT_OK = 0
EXIT_PROBLEMS = 1  # problems were found: check errors, rejected entries, failed gates
EXIT_USAGE = 2  # Click's own usage errors
EXIT_REFUSED = 3  # an input was refused as a whole


class PipelineError(Exception):
    """A failure explained for the person at the keyboard: what, where, what to do."""

    exit_code = EXIT_REFUSED

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.message = message
        self.path = path
        self.line = line
        super().__init__(self.where() + message)

    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}: " if self.line else f"{self.path}: "


class InputRefused(PipelineError):
    """An input file was refused as a whole (unreadable, wrong language, bad data)."""


class ProblemsFound(PipelineError):
    """Work was done but problems were found; they have been reported already."""

    exit_code = EXIT_PROBLEMS
