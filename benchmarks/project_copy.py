"""A copy of this repository's project (sources, catalogs, settings) for a benchmark to build or edit."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def copy_project(target: Path) -> Path:
    """`target` (made, and its parents) holding source_content/, locales/ and awareness.toml; returns it."""
    target.mkdir(parents=True)
    for name in ("source_content", "locales"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "awareness.toml", target / "awareness.toml")
    return target
