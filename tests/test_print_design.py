"""The leaflets as a designer checks them, read back from the PDF (pdfplumber, and pdfua as an independent
PDF/UA checker): panels top-aligned without holes, text contrast on the publisher's colours, the logo, alternative
text on every figure, the office sheet of cards."""

from __future__ import annotations

import pdfplumber
import pikepdf
import pytest
from conftest import shared_pdf
from test_leaflets import EDITIONS, MM, PSEUDO, WATERMARK_PT, leaflet

from pipeline.publish.leaflets import FORMATS, fold_widths

pytestmark = pytest.mark.slow
LAYOUT_EDITIONS = (*EDITIONS, PSEUDO)
TOP_MM = 20  # the first content of a panel starts this close to its top edge
# the largest empty stretch, as a share of the panel's height
MAX_GAP = {"sheet": 0.15, "trifold": 0.15, "poster": 0.15, "card": 0.20, "card-sheet": 0.20}


@pytest.fixture
def built(shared_build):
    """The test run's one build of the real project (conftest): every format of EDITIONS and PSEUDO."""
    return shared_build


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
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_panels_are_top_aligned_without_holes(built, edition, fmt):
    rtl = edition.startswith("ar")
    with shared_pdf(leaflet(built, edition, fmt)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for x0, x1 in panels_of(page, fmt, number, rtl):
                spans = spans_in(page, x0, x1)
                assert spans, (edition, fmt, number, "an empty panel")
                first, gap = layout_of(spans)
                where = (edition, fmt, number, round(x0 / MM))
                if not fmt.startswith("card"):  # a card is 55 mm tall: its stretch is what counts
                    assert first / MM <= TOP_MM, (*where, f"starts {first / MM:.0f} mm from the top")
                assert gap / page.height <= MAX_GAP[fmt], (*where, f"a hole of {gap / page.height:.0%}")


@pytest.mark.parametrize("edition", LAYOUT_EDITIONS)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_independent_pdf_ua_checker_finds_no_error(built, edition, fmt):
    """pdfua (the machine-checkable part of PDF/UA-1, on pikepdf): every figure has alternative text, ..."""
    from pdfua import Severity, validate

    report = validate(str(leaflet(built, edition, fmt)))
    errors = [(f.rule_id, f.message) for f in report.findings if f.severity >= Severity.ERROR]
    assert errors == [], (edition, fmt, errors[:5])


def luminance(rgb) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def rgb_of(colour) -> tuple[float, float, float] | None:
    if colour is None:
        return None
    values = tuple(colour) if isinstance(colour, (list, tuple)) else (colour,)
    if len(values) == 1:
        return (values[0],) * 3
    if len(values) == 3:
        return values
    if len(values) == 4:  # CMYK
        c, m, y, k = values
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def text_contrasts(path, shared: bool = True) -> list[tuple[float, float, str]]:
    """(contrast, size, text) of every character: its fill colour in the PDF against the background printed
    under it (the commonest colour of its box on the rendered page: the glyph covers less of it than the ground);
    the pale DRAFT watermark is left out."""
    found = []
    scale = 150 / 72
    with (shared_pdf if shared else pdfplumber.open)(path) as pdf:
        for page in pdf.pages:
            image = page.to_image(resolution=150).original.convert("RGB")
            for c in page.chars:
                if c["size"] >= WATERMARK_PT or not c["text"].strip():
                    continue
                box = image.crop((int(c["x0"] * scale), int(c["top"] * scale), int(c["x1"] * scale) + 1,
                                  int(c["bottom"] * scale) + 1))
                colours = box.getcolors(box.width * box.height + 1)
                back = tuple(v / 255 for v in max(colours)[1])
                fore = rgb_of(c.get("non_stroking_color")) or (0, 0, 0)
                found.append((contrast(fore, back), c["size"], c["text"]))
    return found


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_text_colour_contrasts_with_its_background(built, edition, fmt):
    """WCAG AA: 4.5:1, 3:1 for text of 18 pt and more; the colours as printed, the background under each character."""
    low = [(round(ratio, 2), round(size, 1), text) for ratio, size, text in text_contrasts(leaflet(built, edition, fmt))
           if ratio < (3 if size >= 18 else 4.5)]
    assert low == [], (edition, fmt, low[:10])


LOGO = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">
<rect x="2" y="2" width="36" height="36" rx="8" fill="#0b5d3b"/><circle cx="20" cy="20" r="9" fill="#ffffff"/>
<text x="46" y="27" font-size="18" fill="#0b5d3b">NGO</text></svg>"""


def test_the_publisher_logo_and_colours_are_on_every_format(mini, cli):
    """A project with its own logo (SVG) and colours: the logo is on every format at one fixed height (on the
    cover and the back of the tri-fold), with alternative text, and every text colour still has the contrast."""
    (mini / "source_content" / "logo.svg").write_text(LOGO)
    settings = mini / "awareness.toml"
    text = settings.read_text().replace('# logo = "source_content/logo.svg"', 'logo = "source_content/logo.svg"')
    colours = '[publisher]\ncolours = { primary = "#0b5d3b", accent = "#8a1c7c" }'
    settings.write_text(text.replace("[publisher]", colours, 1) if "colours" not in text else text)
    result = cli(mini, "build", "--format", "pdf", "--edition", "en-GB")
    assert "warning[fit]" not in result.output, result.output
    heights = {"sheet": 11, "trifold": 11, "poster": 24, "card": 7, "card-sheet": 7}
    for fmt in FORMATS:
        path = leaflet(mini, "en-GB", fmt)
        with pdfplumber.open(path) as pdf:
            images = [(number, img) for number, page in enumerate(pdf.pages, 1) for img in page.images]
            drawn = [(n, o) for n, page in enumerate(pdf.pages, 1) for o in page.rects + page.curves
                     if rgb_of(o.get("non_stroking_color")) and o.get("fill")
                     and [round(v, 2) for v in rgb_of(o["non_stroking_color"])] == [0.04, 0.36, 0.23]
                     and abs((o["bottom"] - o["top"]) / MM - heights[fmt] * 36 / 40) < 0.6]
        assert images or drawn, (fmt, "no logo")
        logos = images or drawn
        if fmt == "trifold":
            assert len(logos) >= 2, (fmt, "the logo belongs on the cover and the back")
        assert all(ratio >= 4.5 or size >= 18 and ratio >= 3 for ratio, size, _ in text_contrasts(path, shared=False)), fmt
        with pikepdf.open(path) as pdf:
            alts = [str(e.get("/Alt", "")) for e in _figures(pdf.Root.StructTreeRoot)]
        assert any("Logo of" in alt for alt in alts), (fmt, alts)


def _figures(node):
    if isinstance(node, pikepdf.Array):
        for item in node:
            yield from _figures(item)
    elif isinstance(node, pikepdf.Dictionary):
        if node.get("/S") == "/Figure":
            yield node
        kids = node.get("/K")
        if kids is not None:
            yield from _figures(kids)


def test_a_publisher_colour_too_light_for_text_is_refused(mini, cli):
    """White text on it, or it on its light tint, would miss WCAG AA: the settings say so before anything prints."""
    settings = mini / "awareness.toml"
    light = '[publisher]\ncolours = { primary = "#7fa6d9" }'
    settings.write_text(settings.read_text().replace("[publisher]", light, 1))
    result = cli(mini, "build", "--format", "card", "--edition", "en-GB", code=None)
    assert result.exit_code != 0
    assert "publisher.colours.primary" in result.output and "too light for text" in result.output, result.output
