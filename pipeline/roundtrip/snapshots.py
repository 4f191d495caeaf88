"""Export ids and the snapshots of what was sent to a translator: written by `export`, read by `merge`."""

from __future__ import annotations

import hashlib
import re

import polib

from ..catalog.catalogs import read_catalog
from ..core.clock import build_date
from ..core.errors import InputRefused
from ..core.layout import Project
from ..core.storage import write_atomic

EXPORT_HEADER = "X-Export-Id"
EXPORT_ID = re.compile(r"^[A-Za-z_]+-\d{8}T\d{6}-[0-9a-f]{8}$")


def new_export_id(locale: str, catalog_bytes: bytes) -> str:
    """`<locale>-<build time>-<8 hex of the catalog>`: unique per catalog state, reproducible in CI."""
    digest = hashlib.sha256(catalog_bytes).hexdigest()[:8]
    return f"{locale}-{build_date().strftime('%Y%m%dT%H%M%S')}-{digest}"


def export_id_of(returned: polib.POFile, rel: str) -> str | None:
    """The export id a returned file carries, None when it has none; a malformed one is refused."""
    export_id = returned.metadata.get(EXPORT_HEADER, "").strip()
    if not export_id:
        return None
    if not EXPORT_ID.match(export_id):
        raise InputRefused(f"malformed {EXPORT_HEADER} header '{export_id[:60]}'", path=rel)
    return export_id


def write_snapshot(project: Project, locale: str, export_id: str, data: bytes) -> None:
    write_atomic(project.snapshot(locale, export_id), data)


def read_snapshot(project: Project, locale: str, export_id: str) -> polib.POFile | None:
    """What was sent with this export id, or None when the snapshot is not in this clone."""
    path = project.snapshot(locale, export_id)
    return read_catalog(path, project.rel(path)) if path.is_file() else None
