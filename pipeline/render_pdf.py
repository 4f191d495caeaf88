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


def render_pdf(html: str, root: Path, *, identifier: str, max_pages: int) -> RenderedPdf:
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
        raise PipelineError(f"leaflet {identifier}: {exc}") from None
    finally:
        logger.removeHandler(collector)
    if collector.messages:
        raise PipelineError(f"leaflet {identifier}: {collector.messages[0]}")
    overflow = 0.0
    for page in document.pages[max_pages:]:
        overflow += page.height * 25.4 / 96  # CSS px -> mm (whole pages; the last may be partly filled)
    return RenderedPdf(data, len(document.pages), round(overflow))
