"""HTML -> PDF with WeasyPrint: files from inside the project only, tagged PDF/UA, page-count fit check."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from ..core.errors import PipelineError

PDF_VARIANT = "pdf/ua-1"


def _weasyprint():
    import weasyprint  # imported lazily: 0.5 s that commands without PDFs should not pay

    return weasyprint


def rooted_fetcher(root: Path):
    """A URL fetcher that serves file: URLs under `root` and refuses everything else (no network)."""
    weasyprint = _weasyprint()

    class RootedFetcher(weasyprint.URLFetcher):
        def __init__(self, **kwargs):
            super().__init__(allowed_protocols={"file"}, fail_on_errors=True, **kwargs)
            self.root = root.resolve()

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"refused: {url} (leaflets may only use files inside the project)")
            if not Path(url2pathname(parts.path)).resolve().is_relative_to(self.root):
                raise ValueError(f"refused: {url} is outside the project")
            return super().fetch(url, headers)

    return RootedFetcher()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    overflow_mm: float  # height of content beyond the allowed pages
    # panel id -> the pages it was laid out on, with how far its content reaches there (mm); a panel that
    # reaches a second page did not fit its fixed size
    panels: dict[str, list[tuple[int, float]]] = field(default_factory=dict)


def render_pdf(html: str, root: Path, *, name: str, identifier: str, max_pages: int) -> RenderedPdf:
    """Render a leaflet; WeasyPrint errors (refused files, missing alt/lang) fail the build."""
    weasyprint = _weasyprint()
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        document = weasyprint.HTML(string=html, base_url=root.as_uri() + "/",
                                   url_fetcher=rooted_fetcher(root)).render()
        data = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=identifier.encode("ascii"))
    except weasyprint.urls.FatalURLFetchingError as exc:  # a BaseException, not an Exception
        cause = exc.__cause__ or exc.__context__
        raise PipelineError(f"{name}: {cause or exc}") from None
    finally:
        logger.removeHandler(collector)
    if collector.messages:
        raise PipelineError(f"{name}: {collector.messages[0]}")
    overflow = sum(_filled_height(page._page_box) for page in document.pages[max_pages:]) * MM_PER_PX
    return RenderedPdf(data, len(document.pages), round(overflow), _panels(document))


MM_PER_PX = 25.4 / 96


def _panels(document) -> dict[str, list[tuple[int, float]]]:
    """Where each `.panel` element (with an id) was laid out: page index and filled height in mm."""
    found: dict[str, list[tuple[int, float]]] = {}
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or "panel" not in (element.get("class") or "").split() or not element.get("id"):
                continue
            found.setdefault(element.get("id"), []).append((number, round(_filled_height(box) * MM_PER_PX, 1)))
    return found


def _filled_height(box) -> float:
    """How far down a box's content reaches, from the top of its content area (CSS px)."""
    top = box.content_box_y()
    bottoms = [child.position_y + child.margin_height() for child in box.descendants()
               if child is not box and hasattr(child, "margin_height") and child.position_y >= top]
    return max(bottoms, default=top) - top


PT_PER_MM = 72 / 25.4


def tile_pages(data: bytes, steps: list[list[tuple[float, float]]], marks: list[tuple[float, float, float, float]]
               ) -> bytes:
    """Repeat each page's content at the given offsets (mm, right and down) and draw `marks` (lines x0, y0, x1,
    y1 in mm from the trim box's top left), all as artifacts: the office sheet of cards lays out one card per side
    and prints it ten times. Laying out ten cards costs WeasyPrint 70 ten times as much; a screen reader reads
    the one tagged card, not ten identical ones."""
    import io

    import pikepdf

    pdf = pikepdf.open(io.BytesIO(data))
    marked = {b"BDC", b"BMC", b"EMC", b"MP", b"DP"}
    for page, offsets in zip(pdf.pages, steps):
        ops = [(operands, op) for operands, op in pikepdf.parse_content_stream(page) if op.unparse() not in marked]
        trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
        left, top = trim[0], trim[3]
        copy = pikepdf.unparse_content_stream(ops)
        page.contents_add(b"q", prepend=True)  # the copies start from the page's own coordinates
        extra = [b"Q", b"/Artifact BMC"]
        for dx, dy in offsets:
            extra += [f"q 1 0 0 1 {dx * PT_PER_MM:.3f} {-dy * PT_PER_MM:.3f} cm".encode(), copy, b"Q"]
        extra.append(b"q 0 0 0 RG 0.4 w")
        for x0, y0, x1, y1 in marks:
            extra.append(f"{left + x0 * PT_PER_MM:.3f} {top - y0 * PT_PER_MM:.3f} m "
                         f"{left + x1 * PT_PER_MM:.3f} {top - y1 * PT_PER_MM:.3f} l S".encode())
        extra += [b"Q", b"EMC"]
        page.contents_add(pikepdf.Stream(pdf, b"\n".join(extra)), prepend=False)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()
