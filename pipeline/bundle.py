"""Reproducible release archive: built editions + manifest.json + SHA256SUMS, from one or many shards."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .catalogs import build_date
from .errors import InputRefused, ProblemsFound
from .incremental import STATE_FILE, load_state
from .layout import OUTPUT_DIR, Project
from .storage import write_atomic

SHARED = ("site/index.html", "site/assets/site.css", "site/assets/quick-exit.js")
ZIP_EPOCH_MIN = 315532800  # 1980-01-01, the earliest time a zip can store


@dataclass(frozen=True)
class BundleResult:
    path: Path
    editions: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]  # (edition, why)
    size: int


def _zip_time() -> tuple[int, int, int, int, int, int]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = max(int(epoch), ZIP_EPOCH_MIN) if epoch and epoch.isdigit() else ZIP_EPOCH_MIN
    moment = build_date().fromtimestamp(seconds, build_date().tzinfo)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second - moment.second % 2)


def _within(folder: Path, rel_to_project: str) -> Path:
    """A file recorded as output/... in the build state, found inside a (shard's) output folder."""
    prefix = OUTPUT_DIR + "/"
    inside = rel_to_project[len(prefix):] if rel_to_project.startswith(prefix) else rel_to_project
    return folder / inside


def collect(folders: list[Path]) -> tuple[dict[str, dict], dict[str, Path]]:
    """Editions recorded by every build state, and where each one's files are."""
    editions: dict[str, dict] = {}
    homes: dict[str, Path] = {}
    for folder in folders:
        state_file = folder / STATE_FILE
        if not state_file.is_file():
            raise InputRefused(f"no build here ({STATE_FILE} missing); run `awareness build` first", path=str(folder))
        for edition_id, record in load_state(state_file)["editions"].items():
            if edition_id in editions and editions[edition_id].get("inputs") != record.get("inputs"):
                raise InputRefused(f"edition {edition_id} was built from different inputs in two shards",
                                   path=str(folder))
            editions[edition_id], homes[edition_id] = record, folder
    return editions, homes


def make_bundle(project: Project, *, inputs: list[Path] | None = None, include_drafts: bool = False,
                allow_unreviewed: bool = False, out: Path | None = None) -> BundleResult:
    folders = [Path(p).resolve() for p in (inputs or [project.output])]
    editions, homes = collect(folders)
    chosen, left_out = [], []
    for edition_id in sorted(editions):
        record = editions[edition_id]
        why = ("draft" if record.get("draft") else "leaflet overflows" if record.get("overflow")
               else "translation awaiting review" if record.get("unreviewed") and not allow_unreviewed else "")
        if edition_id.startswith("qps-"):
            why = "pseudo-locale"
        if why and not (include_drafts and why != "pseudo-locale"):
            left_out.append((edition_id, why))
        else:
            chosen.append(edition_id)
    if not chosen:
        reasons = ", ".join(f"{e}: {w}" for e, w in left_out[:5]) or "nothing was built"
        raise ProblemsFound(f"no release editions to bundle ({reasons}{', ...' if len(left_out) > 5 else ''}); "
                            f"use --include-drafts for a preview bundle")
    files: dict[str, bytes] = {}
    manifest = []
    for edition_id in chosen:
        record, folder = editions[edition_id], homes[edition_id]
        entries = []
        for rel in sorted(p for paths in record.get("files", {}).values() for p in paths):
            source = _within(folder, rel)
            if not source.is_file():
                raise InputRefused(f"edition {edition_id}: {rel} is missing; run `awareness build` again",
                                   path=str(folder))
            data = source.read_bytes()
            arcname = source.relative_to(folder).as_posix()
            files[arcname] = data
            entries.append({"path": arcname, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
        catalog = record.get("catalog", {})
        needed = catalog.get("needed") or 0
        manifest.append({
            "edition": edition_id, "language": record.get("language"), "region": record.get("region"),
            "locale": record.get("locale"), "draft": bool(record.get("draft")),
            "draft_reasons": record.get("draft_reasons", []), "unreviewed": bool(record.get("unreviewed")),
            "catalog": {"translated": catalog.get("translated", 0), "needed": needed,
                        "percent": round(100.0 * catalog.get("translated", 0) / needed, 1) if needed else 100.0},
            "contacts": record.get("contacts", []), "files": entries})
    for shared in SHARED:
        found = [f / shared for f in folders if (f / shared).is_file()]
        if found:
            contents = {p.read_bytes() for p in found}
            if len(contents) > 1:
                raise InputRefused(f"{shared} differs between shards; build them from the same commit")
            files[shared] = contents.pop()
    files["manifest.json"] = (json.dumps({"name": "awareness-pipeline", "version": __version__,
                                          "editions": manifest, "left_out": [{"edition": e, "why": w}
                                                                             for e, w in left_out]},
                                         indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    sums = "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files))
    files["SHA256SUMS"] = sums.encode("utf-8")
    buffer = io.BytesIO()
    stamp = _zip_time()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"awareness-{__version__}/{name}", date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=9)
    target = out or project.output / f"awareness-{__version__}.zip"
    write_atomic(target, buffer.getvalue())
    return BundleResult(target, tuple(chosen), tuple(left_out), len(buffer.getvalue()))
