"""The one error type for user-facing failures, and the project's exit codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Issue

# Exit codes shared by every command (documented in the README).
EXIT_OK = 0
EXIT_PROBLEMS = 1  # problems were found: check errors, rejected entries, failed gates
EXIT_USAGE = 2  # a command was called wrongly (Click's own usage errors, unknown editions)
EXIT_REFUSED = 3  # an input was refused as a whole
EXIT_MACHINE = 4  # the machine refused: a folder not writable or readable, a read-only or full disk, a missing tool
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)


class PipelineError(Exception):
    """A failure explained for the person at the keyboard: what, where, what to do."""

    exit_code = EXIT_REFUSED

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 problems: list[Issue] | None = None):
        self.message = message
        self.path = path
        self.line = line
        self.problems = list(problems or [])  # every problem found in the input, when there are several
        super().__init__(self.where() + message)

    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}: " if self.line else f"{self.path}: "


class InputRefused(PipelineError):
    """An input file was refused as a whole (unreadable, wrong language, bad data)."""

    @classmethod
    def collected(cls, problems: list[Issue], what: str) -> InputRefused:
        """All problems of one file, reported together; the summary names the file and the count."""
        first = problems[0]
        count = len(problems)
        return cls(f"{what} refused: {count} problem{'s' if count != 1 else ''}", path=first.path,
                   problems=problems)


class UsageError(PipelineError):
    """The command was called with something that does not exist (an unknown edition, a bad option value)."""

    exit_code = EXIT_USAGE


class ProblemsFound(PipelineError):
    """Work was done but problems were found; they have been reported already."""

    exit_code = EXIT_PROBLEMS


class MachineError(PipelineError):
    """The machine refused an operation (permissions, a read-only or full disk): which path, what to do."""

    exit_code = EXIT_MACHINE


class MissingTool(MachineError):
    """A program the pipeline runs is not installed: which one, and the Debian package that brings it."""

    def __init__(self, program: str, package: str, purpose: str = ""):
        what = f" ({purpose})" if purpose else ""
        super().__init__(f"{program} is not installed{what}; install it with: apt-get install {package}")
