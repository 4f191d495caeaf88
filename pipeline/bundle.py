"""Reproducible release archive: built editions + manifest.json + SHA256SUMS, from one or many shards."""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .core import release
from .core.clock import build_date
from .core.errors import InputRefused, PipelineError, ProblemsFound, UsageError
from .core.layout import STATE_FILE, Project, within_output
from .core.records import BuildState, EditionRecord, FileDigest, OutputRecord, safe_output_path
from .core.storage import clean_temporaries, machine_errors, write_atomic
from .publish.leaflets import FORMATS

HTML = "html"

ZIP_EPOCH_MIN = 315532800  # 1980-01-01, the earliest time a zip can store


@dataclass(frozen=True)
class BundleResult:
    path: Path
    editions: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]  # (edition, why)
    size: int
    broken_links: tuple[tuple[str, str], ...] = ()  # (page, link): links to files this archive does not hold


def _zip_time() -> tuple[int, int, int, int, int, int]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = max(int(epoch), ZIP_EPOCH_MIN) if epoch and epoch.isdigit() else ZIP_EPOCH_MIN
    moment = build_date().fromtimestamp(seconds, build_date().tzinfo)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second - moment.second % 2)


def collect(project: Project, folders: list[Path]) -> tuple[dict[str, EditionRecord], dict[str, Path],
                                                            dict[Path, OutputRecord]]:
    """Editions recorded by every build state, where each one's files are, and each folder's shared site files.
    A state that fails its checks (shape, types, a path outside output/) refuses the bundle."""
    editions: dict[str, EditionRecord] = {}
    homes: dict[str, Path] = {}
    shared: dict[Path, OutputRecord] = {}
    for folder in folders:
        state_file = project.state_file(folder)
        if not state_file.is_file():
            raise InputRefused(f"no build here ({STATE_FILE} missing); run `awareness build` first", path=str(folder))
        state, problem = BuildState.read(state_file)
        if problem:
            raise InputRefused(f"build state refused: {problem}; run `awareness build` again",
                               path=project.rel(state_file))
        for edition_id, record in state.editions.items():
            if edition_id in editions and _inputs(editions[edition_id]) != _inputs(record):
                raise InputRefused(f"edition {edition_id} was built from different inputs in two shards",
                                   path=str(folder))
            editions[edition_id], homes[edition_id] = record, folder
        if state.shared is not None:
            shared[folder] = state.shared
    return editions, homes, shared


def _inputs(record: EditionRecord) -> dict[str, str]:
    return {kind: output.inputs for kind, output in record.outputs.items()}


class _Reader:
    """The files of an output folder, read once, each checked against the size and hash its build recorded:
    nothing outside the folder (no `..`, no symlink out), no temporary, nothing truncated or edited since."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.seen: dict[str, bytes | None] = {}

    def problem(self, rel: str, digest: FileDigest | None) -> str | None:
        """Why this recorded file cannot be shipped, or None."""
        if not safe_output_path(rel) or any(part.startswith(".") for part in rel.split("/")):
            return "is not a file of the output folder"
        source = within_output(self.folder, rel)
        if rel not in self.seen:
            data = None
            if not source.is_symlink() and source.is_file() and source.resolve().is_relative_to(self.folder):
                data = source.read_bytes()
            self.seen[rel] = data
        data = self.seen[rel]
        if data is None:
            return "is missing"
        if digest is None or FileDigest.of(data) != digest:
            return "does not match its build record (changed or truncated since it was built)"
        return None

    def data(self, rel: str) -> bytes:
        data = self.seen[rel]
        assert data is not None
        return data


def _edition_named(project: Project, sources, edition_id: str):
    """An edition built on request only (the pseudo-locale), or None when these sources have no such edition."""
    from .edition.editions import select_editions

    try:
        return select_editions(project, sources.regions, [edition_id])[0][0]
    except (PipelineError, IndexError):
        return None


def _owned(project: Project, edition_id: str, kind: str, rel: str) -> bool:
    """A file an output of this edition may have: its own pages, or its own leaflet."""
    if kind == HTML:
        return rel.startswith(project.rel(project.site_edition(edition_id)) + "/")
    return kind in FORMATS and rel == project.rel(project.leaflet(edition_id, kind))


def manifest_entry(record: EditionRecord, files: list[dict]) -> dict:
    percent = round(100.0 * record.translated / record.needed, 1) if record.needed else 100.0
    return {"edition": record.edition, "language": record.language, "region": record.region,
            "locale": record.locale, "draft": record.draft, "draft_reasons": record.draft_reasons,
            "unreviewed": record.unreviewed, "reviewed": record.needed - record.unreviewed,
            "catalog": {"translated": record.translated, "needed": record.needed, "percent": percent},
            "contacts": [c.__dict__ for c in record.contacts], "files": files}


def make_bundle(project: Project, *, inputs: list[Path] | None = None, include_drafts: bool = False,
                allow_unreviewed: bool = False, out: Path | None = None,
                editions: list[str] | None = None) -> BundleResult:
    """Package built editions: every file checked against its build record and hashed as shipped, every
    edition's gate asked now (from the sources, not from the stored records)."""
    with machine_errors():
        return _make_bundle(project, inputs=inputs, include_drafts=include_drafts,
                            allow_unreviewed=allow_unreviewed, out=out, only=editions)


def _make_bundle(project: Project, *, inputs: list[Path] | None, include_drafts: bool, allow_unreviewed: bool,
                 out: Path | None, only: list[str] | None = None) -> BundleResult:
    from .build import fingerprinter
    from .edition.view import load_inputs, prepare

    folders = [Path(p).resolve() for p in (inputs or [project.output])]
    editions, homes, shared_records = collect(project, folders)
    sources, _ = load_inputs(project)
    known = {e.id: e for e in sources.editions}
    # the site the build made links the editions whose pages it holds (all of them, across CI shards)
    sources.site_editions = [e for e in sources.editions if e.id in editions and "html" in editions[e.id].outputs]
    fingerprints = fingerprinter(sources)  # as build computes them
    configured = [k for k in FORMATS if k in sources.settings.formats]
    readers = {folder: _Reader(folder) for folder in folders}
    facts: dict[str, EditionRecord] = {}
    chosen, left_out = [], []
    missing = [e for e in only or [] if e not in editions]
    if missing:
        raise UsageError(f"edition {missing[0]} has not been built into {', '.join(project.rel(f) for f in folders)}; "
                         f"build it first: awareness build --edition {missing[0]}")
    for edition_id in sorted(e for e in editions if only is None or e in only):
        record, reader = editions[edition_id], readers[homes[edition_id]]
        where = project.rel(homes[edition_id])
        edition = known.get(edition_id) or _edition_named(project, sources, edition_id)
        if edition is None:
            left_out.append((edition_id, "not an edition of these sources"))
            continue
        # the gate, asked now: the facts come from the sources, only the leaflets' overflow from the record
        facts[edition_id] = prepare(sources, edition).record()
        facts[edition_id].outputs = record.outputs
        found = release.blocking(release.refusals(facts[edition_id]), include_drafts=include_drafts,
                                 allow_unreviewed=allow_unreviewed)
        if found:
            left_out.append((edition_id, release.short_reason(found)))
            continue  # nothing of it is read, let alone shipped
        _verify(project, edition, record, reader, where, fingerprints, sources, configured)
        chosen.append(edition_id)
    if not chosen:
        reasons = ", ".join(f"{e}: {w}" for e, w in left_out[:5]) or "nothing was built"
        raise ProblemsFound(f"no release editions to bundle ({reasons}{', ...' if len(left_out) > 5 else ''}); "
                            f"use --include-drafts for a preview bundle")
    files: dict[str, bytes] = {}
    manifest = []
    for edition_id in chosen:
        record, reader = facts[edition_id], readers[homes[edition_id]]
        entries = []
        for rel in record.files:
            data = reader.data(rel)
            arcname = within_output(reader.folder, rel).relative_to(reader.folder).as_posix()
            files[arcname] = data
            entries.append({"path": arcname, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
        manifest.append(manifest_entry(record, entries))
    files.update(_shared_files(project, sources, fingerprints, shared_records, readers, set(editions)))
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
    clean_temporaries(target.parent, target.name)  # what an interrupted bundle left
    write_atomic(target, buffer.getvalue())
    return BundleResult(target, tuple(chosen), tuple(left_out), len(buffer.getvalue()),
                        tuple(broken_links(files)))


_LINK = re.compile(rb'(?:href|src)="([^"#?:]+)(?:[#?][^"]*)?"')


def broken_links(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """Relative links of the shipped pages that point at a file the archive does not hold, e.g. a language
    switcher linking an edition this bundle leaves out (a draft, or one not asked for with --edition)."""
    found = []
    for name in sorted(files):
        if not name.endswith(".html"):
            continue
        folder = posixpath.dirname(name)
        for match in _LINK.finditer(files[name]):
            link = match.group(1).decode("utf-8", "replace")
            target = posixpath.normpath(posixpath.join(folder, link))
            if target not in files:
                found.append((name, link))
    return found


def _verify(project: Project, edition, record: EditionRecord, reader: _Reader, where: str, fingerprints, sources,
            configured: list[str]) -> None:
    """Refuse the bundle unless every file of the edition is its own, inside its folder, as its build wrote it,
    and every output was made from the sources checked out now."""
    from .build import own_fingerprints

    edition_id = record.edition
    for kind, output in sorted(record.outputs.items()):
        for rel in output.files:
            if not _owned(project, edition_id, kind, rel):
                raise InputRefused(f"edition {edition_id}: the build record lists '{rel}', which is not a file of "
                                   f"its {kind} output; run `awareness build` again", path=where)
            problem = reader.problem(rel, output.digests.get(rel))
            if problem:
                raise InputRefused(f"edition {edition_id}: {rel} {problem}; run `awareness build` again", path=where)

    def current(kind: str, fingerprint: str) -> bool:
        output = record.outputs.get(kind)
        return output is not None and output.sources == fingerprint

    # of the sources alone: a bundle job need not have the fonts the shards rendered with
    # (nothing is being made now: the site's print covers the leaflets that are current, as its build saw them)
    _, fresh = own_fingerprints(fingerprints, sources, edition, configured, current, (), machine=False)
    stale = sorted(set(record.outputs) - fresh)
    if stale:
        # the site lists the leaflets with their sizes: it is made again with any of them
        redo = sorted(set(stale) | ({HTML} if HTML in record.outputs else set()))
        raise InputRefused(f"edition {edition_id}: its {', '.join(stale)} output was built from other sources than "
                           f"these; run `awareness build --edition {edition_id} --format {','.join(redo)}`",
                           path=where)


def _shared_files(project: Project, sources, fingerprints, records: dict[Path, OutputRecord],
                  readers: dict[Path, _Reader], edition_ids: set[str]) -> dict[str, bytes]:
    """The site files of no edition (assets, choosers, sitemap) as their build recorded them; every shard that
    has them must have the same."""
    from .build import shared_fingerprint

    if not records:
        return {}
    expected = shared_fingerprint(project, sources, fingerprints)
    site = project.rel(project.site) + "/"
    found: dict[str, bytes] = {}
    for folder, record in sorted(records.items()):
        if record.inputs != expected:
            raise InputRefused("the shared site files were built from other sources than these; run "
                               "`awareness build` again", path=str(folder))
        for rel in record.files:
            if not rel.startswith(site) or rel.removeprefix(site).split("/")[0] in edition_ids:
                raise InputRefused(f"the build record lists '{rel}' among the shared site files; run `awareness build` "
                                   f"again", path=str(folder))
            problem = readers[folder].problem(rel, record.digests.get(rel))
            if problem:
                raise InputRefused(f"{rel} {problem}; run `awareness build` again", path=str(folder))
            arcname = within_output(folder, rel).relative_to(folder).as_posix()
            data = readers[folder].data(rel)
            if found.setdefault(arcname, data) != data:
                raise InputRefused(f"{arcname} differs between shards; build them from the same commit")
    return found
