"""Source document + catalog -> translated Markdown (what po4a-translate and po2md do)."""

from __future__ import annotations

from pathlib import Path

from ..core.errors import InputRefused
from ..core.layout import Project
from ..core.models import Document
from ..core.storage import write_atomic
from ..source.documents import TRANSLATABLE_META, load_documents, render_front_matter
from .catalogs import Lookup, catalog_lookup, read_catalog


def translate_body(body: str, lookup: Lookup | None) -> str:
    """The body with every translated block replaced; None (an English edition) leaves it as written."""
    if lookup is None:
        return body
    from ..source.segments import apply_translations  # markdown-it: only translated editions pay for it

    return apply_translations(body, lambda block: lookup(block.annotation.context, block.msgid))


def translate_document(doc: Document, lookup: Lookup) -> str:
    """The document's Markdown with every translated block replaced, the rest left as in the source."""
    values = {key: lookup(None, str(doc.meta[key]).strip()) for key in TRANSLATABLE_META if key in doc.meta}
    front = render_front_matter(doc.front, {k: v for k, v in values.items() if v})
    body = translate_body(doc.body, lookup)
    return f"{front}\n{body}" if front else body


def load_lookup(project: Project, locale: str) -> Lookup:
    path = project.catalog(locale)
    if not path.exists():
        raise InputRefused(f"no catalog for '{locale}'; create it with `awareness init {locale}`",
                           path=project.rel(path))
    return catalog_lookup(read_catalog(path, project.rel(path)))


def translate_project(project: Project, locale: str, out: Path | None = None) -> list[Path]:
    """Write the translated Markdown of every document to `out` (default output/markdown/<locale>/)."""
    lookup = load_lookup(project, locale)
    target = out or project.markdown_out(locale)
    written = []
    for doc in load_documents(project):
        path = target / f"{doc.name}.md"
        write_atomic(path, translate_document(doc, lookup).encode("utf-8"))
        written.append(path)
    return written



