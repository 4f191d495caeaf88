"""Reproducible release archive: built editions + manifest.json + SHA256SUMS, from one or many shards."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__, release
from .clock import build_date
from .errors import InputRefused, ProblemsFound
from .layout import STATE_FILE, Project, within_output
from .records import BuildState, EditionRecord
from .storage import write_atomic

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


def collect(project: Project, folders: list[Path]) -> tuple[dict[str, EditionRecord], dict[str, Path]]:
    """Editions recorded by every build state, and where each one's files are."""
    editions: dict[str, EditionRecord] = {}
    homes: dict[str, Path] = {}
    for folder in folders:
        state_file = project.state_file(folder)
        if not state_file.is_file():
            raise InputRefused(f"no build here ({STATE_FILE} missing); run `awareness build` first", path=str(folder))
        for edition_id, record in BuildState.load(state_file).editions.items():
            if edition_id in editions and _inputs(editions[edition_id]) != _inputs(record):
                raise InputRefused(f"edition {edition_id} was built from different inputs in two shards",
                                   path=str(folder))
            editions[edition_id], homes[edition_id] = record, folder
    return editions, homes


def shared_site_files(folders: list[Path], edition_ids: set[str]) -> dict[str, list[Path]]:
    """Site files that belong to no edition (assets, choosers, sitemap), as every shard has them."""
    found: dict[str, list[Path]] = {}
    for folder in folders:
        site = folder / "site"
        if not site.is_dir():
            continue
        for path in sorted(site.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and rel.parts[1] not in edition_ids:
                found.setdefault(rel.as_posix(), []).append(path)
    return found


def _inputs(record: EditionRecord) -> dict[str, str]:
    return {kind: output.inputs for kind, output in record.outputs.items()}


def manifest_entry(record: EditionRecord, files: list[dict]) -> dict:
    percent = round(100.0 * record.translated / record.needed, 1) if record.needed else 100.0
    return {"edition": record.edition, "language": record.language, "region": record.region,
            "locale": record.locale, "draft": record.draft, "draft_reasons": record.draft_reasons,
            "unreviewed": record.unreviewed, "reviewed": record.needed - record.unreviewed,
            "catalog": {"translated": record.translated, "needed": record.needed, "percent": percent},
            "contacts": [c.__dict__ for c in record.contacts], "files": files}


def make_bundle(project: Project, *, inputs: list[Path] | None = None, include_drafts: bool = False,
                allow_unreviewed: bool = False, out: Path | None = None) -> BundleResult:
    folders = [Path(p).resolve() for p in (inputs or [project.output])]
    editions, homes = collect(project, folders)
    chosen, left_out = [], []
    for edition_id in sorted(editions):
        found = release.blocking(release.refusals(editions[edition_id]), include_drafts=include_drafts,
                                 allow_unreviewed=allow_unreviewed)
        if found:
            left_out.append((edition_id, release.short_reason(found)))
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
        for rel in record.files:
            source = within_output(folder, rel)
            if not source.is_file():
                raise InputRefused(f"edition {edition_id}: {rel} is missing; run `awareness build` again",
                                   path=str(folder))
            data = source.read_bytes()
            arcname = source.relative_to(folder).as_posix()
            files[arcname] = data
            entries.append({"path": arcname, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
        manifest.append(manifest_entry(record, entries))
    for shared, found_files in sorted(shared_site_files(folders, set(editions)).items()):
        contents = {p.read_bytes() for p in found_files}
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
    target = out or project.bundle_file(__version__)
    write_atomic(target, buffer.getvalue())
    return BundleResult(target, tuple(chosen), tuple(left_out), len(buffer.getvalue()))
