"""Build progress: a live bar on a terminal, one plain line per edition elsewhere (CI logs)."""

from __future__ import annotations

import sys
import time

import click


class BuildProgress:
    def __init__(self, *, enabled: bool = True, stream=None):
        self.enabled = enabled
        self.stream = stream or sys.stdout
        self.tty = enabled and self.stream.isatty()
        self.total = 0
        self.done = 0
        self.started = time.perf_counter()

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(self, *exc) -> None:
        if self.tty and self.total:
            click.echo("", file=self.stream)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def planned(self, total: int) -> None:
        self.total = total

    def edition_done(self, result) -> None:
        self.done += 1
        if not self.enabled:
            return
        from .core.release import refusals

        errors = [i for i in result.issues if i.severity == "error"]
        # the release gate saying no is a refusal with its reasons, not a crash
        refused = bool(errors) and all(i.check in ("release", "fit") for i in errors)
        state = "REFUSED" if refused else "FAILED" if errors else "DRAFT" if refusals(result.record) else "release"
        pages = f", leaflet {result.leaflet_pages} pages" if result.leaflet_pages else ""
        made = len(result.written) or len(result.files)
        what = "not built (see the reasons below)" if refused and not made else f"{made} files{pages}"
        line = f"{result.edition.id:<7} {state:<7} {what} ({result.seconds:.2f}s)"
        if self.tty:
            width = 24
            filled = width * self.done // max(self.total, 1)
            bar = "#" * filled + "-" * (width - filled)
            click.echo(f"\r\033[K[{bar}] {self.done}/{self.total} {line}", file=self.stream, nl=False)
            return
        click.echo(line, file=self.stream)
        for reason in result.draft_reasons:
            click.echo(f"        draft: {reason}", file=self.stream)
