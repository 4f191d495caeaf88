"""Source files -> segments -> the gettext template `locales/messages.pot`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib
from babel.messages.extract import extract as babel_extract
from jinja2 import TemplateSyntaxError
from jinja2.ext import babel_extract as jinja_extract

from ..contacts.regions import REGION_NAME_CONTEXT, load_regions
from ..core.clock import build_date, po_date
from ..core.errors import InputRefused
from ..core.files import read_text
from ..core.layout import Project
from ..core.models import Document, Region, Segment
from ..core.placeholders import format_flags
from ..core.release import printable
from ..core.storage import locked, write_atomic
from ..source.documents import TRANSLATABLE_META, load_documents
from ..source.segments import SegmentationError, find_blocks
from .catalogs import new_catalog, po_bytes, read_catalog

TEMPLATE_COMMENT_TAGS = ("i18n:",)


def document_segments(doc: Document) -> list[Segment]:
    """Front-matter title/description and every block of a document."""
    segments = [Segment(str(doc.meta[key]).strip(), doc.path, doc.meta_lines.get(key, 1),
                        comments=(f"page {key}",))
                for key in TRANSLATABLE_META if str(doc.meta.get(key, "")).strip()]
    try:
        blocks = find_blocks(doc.body)
    except SegmentationError as exc:
        raise InputRefused(str(exc), path=doc.path, line=exc.line + doc.body_line - 1) from None
    for block in blocks:
        note = block.annotation
        comments = tuple(c for c in (block.auto_comment, note.note) if c)
        if note.max_length:
            comments += (f"max-length: {note.max_length}",)
        segments.append(Segment(block.msgid, doc.path, block.line + doc.body_line - 1, context=note.context,
                                comments=comments, max_length=note.max_length))
    return segments


def template_segments(project: Project) -> list[Segment]:
    """Messages of the Jinja templates; a template that does not parse is an error, never silence."""
    segments = []
    if not project.templates.is_dir():
        return segments
    for path in sorted(project.templates.rglob("*.html")) + sorted(project.templates.rglob("*.txt")):
        rel = project.rel(path)
        read_text(path, rel)  # refuses non-UTF-8 with a line
        try:
            with path.open("rb") as handle:
                found = list(babel_extract(jinja_extract, handle, comment_tags=TEMPLATE_COMMENT_TAGS,
                                           options={"silent": "false", "trimmed": "true"},
                                           strip_comment_tags=True))
        except TemplateSyntaxError as exc:
            raise InputRefused(f"template does not parse: {exc.message}", path=rel, line=exc.lineno) from None
        for line, message, comments, context in found:
            if isinstance(message, (tuple, list)):
                raise InputRefused("plural messages are not supported in templates yet", path=rel, line=line)
            segments.append(Segment(message, rel, line, context=context, comments=tuple(comments)))
    return segments


def region_segments(project: Project, regions: dict[str, Region]) -> list[Segment]:
    """Reader-facing text of region data: region names, contact descriptions and hours.

    They are referenced by file only (`#: source_content/regions/es.toml`, line 0): recording a live check
    adds lines to a region file, and that must not move every reference in the POT and the catalogs."""
    segments = []
    for code in sorted(regions):
        region = regions[code]
        segments.append(Segment(region.name, region.path, 0, context=REGION_NAME_CONTEXT,
                                comments=("name of a country or region",)))
        for contact in region.contacts:
            if not printable(contact):
                continue
            segments.append(Segment(contact.description, region.path, 0, comments=(f"description of {contact.name}",)))
            if contact.hours:
                segments.append(Segment(contact.hours, region.path, 0, context="opening hours",
                                        comments=(f"opening hours of {contact.name}",)))
    return segments


def collect_segments(project: Project) -> list[Segment]:
    segments: list[Segment] = []
    for doc in load_documents(project):
        segments.extend(document_segments(doc))
    segments.extend(template_segments(project))
    segments.extend(region_segments(project, load_regions(project)))
    return segments


def build_template(segments: list[Segment], creation_date: str) -> polib.POFile:
    """Identical messages merge into one entry carrying every location and comment."""
    catalog = new_catalog({
        "Project-Id-Version": "awareness-pipeline content",
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": creation_date,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Generated-By": "awareness-pipeline",
    }, "Translation template for the awareness-pipeline content.\nGenerated by `awareness extract`; do not edit.")
    by_key: dict[tuple[str | None, str], polib.POEntry] = {}
    for segment in segments:
        key = (segment.context, segment.msgid)
        entry = by_key.get(key)
        if entry is None:
            entry = polib.POEntry(msgid=segment.msgid, msgctxt=segment.context, occurrences=[])
            entry.flags.extend(format_flags(segment.msgid))
            by_key[key] = entry
            catalog.append(entry)
        location = (segment.path, str(segment.line) if segment.line else "")
        if location not in entry.occurrences:
            entry.occurrences.append(location)
        notes = entry.comment.split("\n") if entry.comment else []
        notes += [c for c in segment.comments if c not in notes]
        entry.comment = "\n".join(notes)
    return catalog


@dataclass(frozen=True)
class ExtractResult:
    path: Path
    messages: int
    changed: bool


def template_bytes(project: Project) -> tuple[bytes, int]:
    """The POT as it should be now; the creation date only moves when the messages change."""
    segments = collect_segments(project)
    previous = None
    if project.pot.exists():
        previous = read_catalog(project.pot, project.rel(project.pot)).metadata.get("POT-Creation-Date")
    if previous:
        candidate = po_bytes(build_template(segments, previous))
        if project.pot.read_bytes() == candidate:
            return candidate, _count(candidate)
    data = po_bytes(build_template(segments, po_date(build_date())))
    return data, _count(data)


def _count(data: bytes) -> int:
    return data.count(b"\nmsgid ") - 1  # minus the header


def extract(project: Project, *, write: bool = True) -> ExtractResult:
    data, count = template_bytes(project)
    changed = not project.pot.exists() or project.pot.read_bytes() != data
    if write and changed:
        with locked(project.locales):
            write_atomic(project.pot, data)
    return ExtractResult(project.pot, count, changed)
