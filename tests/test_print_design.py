"""The leaflets as a designer checks them, read back from the PDF (pdfplumber, and pdfua as an independent
PDF/UA checker): panels top-aligned without holes, text contrast on the publisher's colours, the logo, alternative
text on every figure, the office sheet of cards."""

from __future__ import annotations

import pdfplumber
import pytest

from pipeline.layout import Project
from pipeline.leaflets import FORMATS, fold_widths
from test_leaflets import EDITIONS, MM, PSEUDO, WATERMARK_PT, built, leaflet  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow
LAYOUT_EDITIONS = (*EDITIONS, PSEUDO)
TOP_MM = 20  # the first content of a panel starts this close to its top edge
MAX_GAP = {"sheet": 0.15, "trifold": 0.15, "poster": 0.15, "card": 0.20}  # largest empty stretch / panel height


def panels_of(page, fmt: str, number: int, rtl: bool) -> list[tuple[float, float]]:
    """The panels of a page as (x0, x1) in PDF points: three on a tri-fold side, else the whole page."""
    if fmt != "trifold":
        return [(0, page.width)]
    narrow, full, _ = fold_widths(page.width / MM)
    widths = [narrow, full, full] if (number == 1) != rtl else [full, full, narrow]
    edges, x = [], 0.0
    for w in widths:
        edges.append((x * MM, (x + w) * MM))
        x += w
    return edges


def spans_in(page, x0: float, x1: float) -> list[tuple[float, float]]:
    """Vertical extents of every text character, shape and image whose middle is inside [x0, x1) (not the
    rotated DRAFT mark, nor page-sized backgrounds)."""
    found = []
    for o in page.chars + page.rects + page.lines + page.curves + page.images:
        if o.get("size", 0) >= WATERMARK_PT or o.get("upright") is False:
            continue
        if o["bottom"] - o["top"] > page.height * 0.9:
            continue
        middle = (o["x0"] + o["x1"]) / 2
        if x0 <= middle < x1:
            found.append((o["top"], o["bottom"]))
    return sorted(found)


def layout_of(spans: list[tuple[float, float]]) -> tuple[float, float]:
    """(where the first content starts, the largest empty stretch between the first and the last content)."""
    first, reach, gap = spans[0][0], spans[0][1], 0.0
    for top, bottom in spans[1:]:
        gap = max(gap, top - reach)
        reach = max(reach, bottom)
    return first, gap


@pytest.mark.parametrize("edition", LAYOUT_EDITIONS)
@pytest.mark.parametrize("fmt", ["sheet", "trifold", "card", "poster"])
def test_panels_are_top_aligned_without_holes(built, edition, fmt):
    rtl = edition.startswith("ar")
    with pdfplumber.open(leaflet(built, edition, fmt)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for x0, x1 in panels_of(page, fmt, number, rtl):
                spans = spans_in(page, x0, x1)
                assert spans, (edition, fmt, number, "an empty panel")
                first, gap = layout_of(spans)
                where = (edition, fmt, number, round(x0 / MM))
                if fmt != "card":
                    assert first / MM <= TOP_MM, (*where, f"starts {first / MM:.0f} mm from the top")
                assert gap / page.height <= MAX_GAP[fmt], (*where, f"a hole of {gap / page.height:.0%}")
