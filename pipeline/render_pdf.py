"""HTML -> PDF with WeasyPrint: files from inside the project only, tagged PDF/UA, page-count fit check."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .errors import PipelineError

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
    overflow = sum(_filled_height(page) for page in document.pages[max_pages:]) * 25.4 / 96  # CSS px -> mm
    return RenderedPdf(data, len(document.pages), round(overflow))


def _filled_height(page) -> float:
    """How far down the page's content reaches, from the top of its content area (CSS px)."""
    box = page._page_box
    top = box.content_box_y()
    bottoms = [child.position_y + child.margin_height() for child in box.descendants()
               if child is not box and hasattr(child, "margin_height") and child.position_y >= top]
    return max(bottoms, default=top) - top
