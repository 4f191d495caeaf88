"""Fingerprints of everything an output is made from, so a rebuild redoes only what changed."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from .. import __version__
from ..core.layout import Project
from ..core.models import Edition
from ..render.fonts import font_match, font_stack


@cache
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_digest(path: Path) -> str:
    """Content hash of a file, cached per (size, mtime) within a process."""
    stat = path.stat()
    return _file_digest(path, stat.st_size, stat.st_mtime_ns)


@cache
def font_identity(family: str) -> str:
    """Which font file fontconfig picks for a family, with its size: a new font means a new PDF."""
    try:
        lines = font_match(family).stdout.split("\n")
        out = lines[1] if len(lines) > 1 else ""
        return f"{family}={out}:{Path(out).stat().st_size if out else 0}"
    except OSError:
        return f"{family}=?"


class Fingerprinter:
    """Hashes the inputs of each output of an edition: `html` (the site) or a leaflet format."""

    def __init__(self, project: Project, editions: list[Edition], today: str, logo: str = ""):
        self.project = project
        shared = [f"version={__version__}", f"date={today}"]
        for path in [project.settings_file, *project.documents(), *sorted(project.templates.rglob("*")),
                     *([project.root / logo] if logo else [])]:  # the publisher's logo is on every output
            if path.is_file():
                shared.append(f"{project.rel(path)}={file_digest(path)}")
        self.shared = shared
        # a page links its own region's editions and its language's chooser, not every edition
        self.siblings = {e.id: ",".join(o.id for o in editions if o.region == e.region) for e in editions}

    @staticmethod
    def combine(fingerprint: str, extra: list[str]) -> str:
        """A fingerprint that also covers `extra` facts (e.g. the state of the leaflets a page lists)."""
        return hashlib.sha256("\n".join([fingerprint, *extra]).encode("utf-8")).hexdigest()

    def of(self, edition: Edition, kind: str, region_paths: list[str], *, machine: bool = True) -> str:
        """machine=False: the sources only, without the font files this machine would use (a bundle job, which
        has no fonts, checks that outputs were made from the sources it has)."""
        parts = list(self.shared) + [f"kind={kind}", f"edition={edition.id}"]
        for rel in region_paths:
            parts.append(f"{rel}={file_digest(self.project.root / rel)}")
        # a regional variant (es_ES) reads its language's catalog (es) too
        for locale in ([edition.locale, edition.locale.split("_")[0]] if edition.locale else []):
            if self.project.catalog(locale).is_file():
                parts.append(f"catalog:{locale}={file_digest(self.project.catalog(locale))}")
        if kind == "html":
            parts.append(f"editions={self.siblings.get(edition.id, edition.id)}")
        elif machine:
            parts.extend(font_identity(f) for f in font_stack(edition.language))
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
