"""Every print format, read back from the PDF the way a printer or a reader would (pdfplumber, poppler,
zbar): paper sizes, folds, per-panel fit, type sizes, QR size and content, key numbers, fonts."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pdfplumber
import pytest
from conftest import PRINT_EDITIONS, shared_pdf

from pipeline.core.layout import Project
from pipeline.edition.view import edition_view
from pipeline.publish.leaflets import FORMATS, fold_widths, leaflet_html

pytestmark = pytest.mark.slow
EDITIONS = PRINT_EDITIONS[:4]  # en-US, ar-EG, hi-IN, ja-JP
PSEUDO = PRINT_EDITIONS[4]  # qps-US: the pseudo-locale (35% longer), for the layout tests (test_print_design.py)
MM = 72 / 25.4  # PDF points per millimetre
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
WATERMARK_PT = 60  # the diagonal DRAFT mark; everything else is text people read
MIN_QR_MM = {"sheet": 20, "trifold": 20, "card": 15, "card-sheet": 15, "poster": 40}
CARDS_PER_SHEET = 10  # the office sheet of wallet cards: 2 x 5 per side
PAPER_MM = {("sheet", "letter"): (215.9, 279.4), ("sheet", "a4"): (210, 297), ("trifold", "letter"): (279.4, 215.9),
            ("trifold", "a4"): (297, 210), ("card", "letter"): (85, 55), ("card", "a4"): (85, 55),
            ("poster", "letter"): (279.4, 431.8), ("poster", "a4"): (297, 420),
            ("card-sheet", "letter"): (215.9, 279.4), ("card-sheet", "a4"): (210, 297)}


@pytest.fixture
def built(shared_build) -> Path:
    """The test run's one build of the real project (conftest): every format of EDITIONS and PSEUDO."""
    return shared_build


@lru_cache(maxsize=None)
def view_of(root: Path, edition: str):
    """An edition's view of a built project that no test changes: made once per edition."""
    return edition_view(Project.at(root), edition)


def leaflet(root: Path, edition: str, fmt: str) -> Path:
    return Project.at(root).leaflet(edition, fmt)


def text_of(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(BIDI.sub("", out).split())


def qr_box(page) -> tuple[float, float, float, float]:
    """The QR code's modules: the biggest family of horizontal strokes of one width (segno draws rows)."""
    rows = [line for line in page.lines if abs(line["top"] - line["bottom"]) < 0.01]
    width = Counter(round(line["linewidth"], 2) for line in rows).most_common(1)[0][0]
    modules = [line for line in rows if round(line["linewidth"], 2) == width]
    return (min(m["x0"] for m in modules), min(m["top"] for m in modules) - width / 2,
            max(m["x1"] for m in modules), max(m["bottom"] for m in modules) + width / 2)


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_paper_pages_type_sizes_and_fonts(built, edition, fmt):
    family = "letter" if edition == "en-US" else "a4"
    path = leaflet(built, edition, fmt)
    with shared_pdf(path) as pdf:
        assert len(pdf.pages) == FORMATS[fmt].pages
        for page in pdf.pages:
            width, height = PAPER_MM[(fmt, family)]
            assert (round(page.width / MM, 1), round(page.height / MM, 1)) == (round(width, 1), round(height, 1))
            sizes = [c["size"] for c in page.chars if c["size"] < WATERMARK_PT]
            assert sizes and min(sizes) >= FORMATS[fmt].min_pt - 0.05, (edition, fmt, min(sizes))
    # left-aligned (start-aligned), never justified: checked on the exact HTML WeasyPrint rendered
    html = leaflet_html(view_of(built, edition), fmt)[0]
    assert not re.search(r"text-align\s*:\s*justify|text-justify|text-align-last", html), (edition, fmt)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all("+Noto" in r[0] and r[-5:-3] == ["yes", "yes"] for r in rows), fonts


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_qr_code_is_big_enough_and_opens_the_reporting_page(built, edition, fmt, tmp_path):
    path = leaflet(built, edition, fmt)
    view = view_of(built, edition)
    page_number = {"sheet": 2, "trifold": 1, "card": 2, "card-sheet": 2, "poster": 1}[fmt]
    with shared_pdf(path) as pdf:
        page = pdf.pages[page_number - 1]
        if fmt == "card-sheet":  # ten codes: measure the top-left card's
            page = page.crop((0, 0, page.width / 2, 55 * MM + (page.height - 5 * 55 * MM) / 2))
        x0, top, x1, bottom = qr_box(page)
        # nothing is printed over the code (a scanner needs its quiet zone too: 4 modules around it)
        quiet = 4 * (x1 - x0) / 29
        over = [c["text"] for c in page.chars if c["size"] < WATERMARK_PT and c["x1"] > x0 - quiet and
                c["x0"] < x1 + quiet and c["bottom"] > top - quiet and c["top"] < bottom + quiet]
        assert over == [], (edition, fmt, "".join(over))
    assert min(x1 - x0, bottom - top) / MM >= MIN_QR_MM[fmt], (edition, fmt, (x1 - x0) / MM)
    # rasterised as a phone's camera sees it: the code and its quiet zone (the whole page for the ten cards)
    dpi = 300 if fmt == "card" else 120
    area = [] if fmt == "card-sheet" else [
        "-x", str(int((x0 - quiet) * dpi / 72)), "-y", str(int((top - quiet) * dpi / 72)),
        "-W", str(int((x1 - x0 + 2 * quiet) * dpi / 72) + 1), "-H", str(int((bottom - top + 2 * quiet) * dpi / 72) + 1)]
    subprocess.run(["pdftoppm", "-r", str(dpi), *area, "-png", "-f", str(page_number), "-l", str(page_number),
                    str(path), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    decoded = subprocess.run(["zbarimg", "--quiet", str(png)], capture_output=True, text=True).stdout.split()
    assert decoded == [f"QR-Code:{view.report_url}"] * (CARDS_PER_SHEET if fmt == "card-sheet" else 1)
    assert view.report_route.contact.report_url_for(view.edition.language) == view.report_url  # a report page


@pytest.mark.parametrize("edition", EDITIONS)
def test_trifold_nothing_crosses_a_fold_and_rtl_is_mirrored(built, edition):
    family_width = 279.4 if edition == "en-US" else 297
    narrow, full, _ = fold_widths(family_width)
    rtl = edition == "ar-EG"
    outside = [narrow, narrow + full] if not rtl else [full, 2 * full]
    inside = [full, 2 * full] if not rtl else [narrow, narrow + full]
    with shared_pdf(leaflet(built, edition, "trifold")) as pdf:
        for page, folds in zip(pdf.pages, (outside, inside)):
            for fold in folds:
                x = fold * MM
                crossing = [c["text"] for c in page.chars if c["x0"] < x - 0.5 and c["x1"] > x + 0.5
                            and c["size"] < WATERMARK_PT]
                crossing += ["line" for line in page.lines if line["x0"] < x - 0.5 and line["x1"] > x + 0.5]
                assert crossing == [], (edition, fold, crossing[:10])
        cover = pdf.pages[0]
        title_chars = [c for c in cover.chars if c["size"] >= 24 and c["size"] < WATERMARK_PT]
        middle = sum(c["x0"] for c in title_chars) / len(title_chars) / MM
        assert (middle < family_width / 3) if rtl else (middle > 2 * family_width / 3)  # the cover panel


def test_sheet_uses_both_sides_without_an_empty_stretch(built):
    for edition in EDITIONS:
        with shared_pdf(leaflet(built, edition, "sheet")) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                spans = sorted((o["top"], o["bottom"]) for o in page.chars + page.rects + page.lines + page.curves
                               if o.get("size", 0) < WATERMARK_PT)
                gaps, reach = [spans[0][0]], spans[0][1]
                for top, bottom in spans[1:]:
                    gaps.append(top - reach)
                    reach = max(reach, bottom)
                gaps.append(page.height - reach)
                assert max(gaps) < page.height / 4, (edition, number, round(max(gaps) / MM))


@pytest.mark.parametrize("edition", EDITIONS)
def test_card_and_poster_carry_the_key_numbers_digit_for_digit(built, edition):
    view = view_of(built, edition)
    keys = view.key_contacts()
    assert {row["need"] for row in keys} >= {"report", "child", "crisis", "emergency"}, keys
    for fmt in ("card", "poster", "sheet"):
        text = text_of(leaflet(built, edition, fmt))
        for row in keys:
            assert row["shown"] in text, (fmt, row)


def test_a_service_abroad_is_labelled_in_every_printed_format(built):
    """Egypt reports to NCMEC's CyberTipline, a US service: every PDF says where it is run from."""
    view = view_of(built, "ar-EG")
    report = next(row for row in view.key_contacts() if row["need"] == "report")
    assert report["scope"] == "abroad"
    # poppler splits or drops the lam-alef ligature (لا) when it extracts Arabic: read the name's last word
    label = view.country_name("US").split()[-1] + ")"
    for fmt in FORMATS:
        text = text_of(leaflet(built, "ar-EG", fmt))
        assert report["shown"] in text and label in text, fmt


def test_a_long_address_wraps_after_a_slash_and_stays_on_the_card(built):
    """de-DE's report page is the longest address on a card: it wraps after a slash, every character inside the card."""
    path = leaflet(built, "de-DE", "card")
    with shared_pdf(path) as pdf:
        page = pdf.pages[0]
        outside = [c["text"] for c in page.chars if c["x1"] > page.width + 0.5 or c["x0"] < -0.5]
        assert not outside, "".join(outside)
    lines = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    # it breaks after one of its slashes, never inside a word
    assert re.search(r"internet-beschwerdestelle\.de/(de/\s*\n\s*|\s*\n\s*de/)beschwerde\.html", lines), lines


def test_every_number_on_the_sheets_dials_what_it_shows(built):
    from pipeline.contacts.regions import load_regions

    regions = load_regions(Project.at(built))
    for edition in EDITIONS:
        region = regions[edition.split("-")[1]]
        text = text_of(leaflet(built, edition, "sheet"))
        shown = [p for c in region.contacts for p in c.phones if p.display in text]
        assert len(shown) >= 3, edition
        assert region.emergency.display in text


def test_pseudo_locale_fits_every_format(built):
    """The pseudo-locale (35% longer) on both paper families: the build recorded no overflow for any format (the
    shared build also fails at once on any warning[fit])."""
    records = json.loads((built / "output/.build-state.json").read_text(encoding="utf-8"))["editions"]
    for edition in ("qps-US", "qps-DE"):
        outputs = records[edition]["outputs"]
        assert set(FORMATS) <= set(outputs), (edition, sorted(outputs))
        assert all(outputs[fmt]["fit"] == [] for fmt in FORMATS), edition
        assert "Whát" in text_of(leaflet(built, edition, "sheet"))


def test_an_overflowing_panel_is_named(mini, cli):
    leaflet_md = mini / "source_content" / "leaflet.md"
    leaflet_md.write_text(leaflet_md.read_text().replace("Any image or video of the sexual abuse of a child.",
                                                         "Any image or video of the sexual abuse of a child. " * 60))
    result = cli(mini, "build", "--format", "trifold", "--edition", "en-GB")
    assert re.search(r"en-GB.trifold.pdf: warning\[fit\]: edition en-GB: trifold panel 'inside-1' overflows by "
                     r"about \d+ mm", result.output), result.output
    assert "panel 'cover'" not in result.output


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_discreet_card_is_discreet_in_its_metadata(built, edition):
    view = view_of(built, edition)
    with shared_pdf(leaflet(built, edition, "card")) as pdf:
        meta = pdf.metadata
    quiet = view.t(None, "Useful numbers")
    assert meta.get("Title") == quiet and meta.get("Subject", quiet) == quiet, meta
    with shared_pdf(leaflet(built, edition, "sheet")) as pdf:
        assert pdf.metadata.get("Title") != quiet  # the other formats say what they are about


def test_large_print_and_discreet_card_options(mini, cli):
    settings = mini / "awareness.toml"
    settings.write_text(settings.read_text().replace("crop_marks = false", "crop_marks = false\nlarge_print = true\n"
                                                     "discreet_card = false"))
    cli(mini, "build", "--format", "sheet,card", "--edition", "en-GB")  # the two formats read here
    with pdfplumber.open(leaflet(mini, "en-GB", "sheet")) as pdf:
        body = Counter(round(c["size"], 1) for page in pdf.pages for c in page.chars if c["size"] < WATERMARK_PT)
    assert body.most_common(1)[0][0] >= 12  # RNIB Clear Print
    assert "Report it" in text_of(leaflet(mini, "en-GB", "card"))  # the leaflet's own title, not "Useful numbers"


def test_crop_marks_bleed_and_a_safe_zone_on_every_format(verified_project, cli):
    settings = verified_project / "awareness.toml"
    settings.write_text(settings.read_text().replace("crop_marks = false", "crop_marks = true"))
    cli(verified_project, "extract")
    cli(verified_project, "build", "--format", "pdf", "--edition", "en-GB")
    for fmt in FORMATS:
        with pdfplumber.open(leaflet(verified_project, "en-GB", fmt)) as pdf:
            for page in pdf.pages:
                trim = [float(v) for v in page.page_obj.attrs["TrimBox"]]
                media = [float(v) for v in page.page_obj.attrs["MediaBox"]]
                assert trim[0] - media[0] >= 3 * MM - 0.5 and media[2] - trim[2] >= 3 * MM - 0.5  # bleed
                safe = 5 * MM - 0.5
                for c in page.chars:  # x0/x1, y0/y1: PDF space, where the trim box is given
                    if c["size"] >= WATERMARK_PT:
                        continue
                    assert trim[0] + safe <= c["x0"] and c["x1"] <= trim[2] - safe, (fmt, c["text"])
                    assert trim[1] + safe <= c["y0"] and c["y1"] <= trim[3] - safe, (fmt, c["text"])


def test_settings_know_the_same_formats_as_the_renderer():
    from pipeline.core.constants import LEAFLET_FORMATS  # one list of names (constants.py), one layout each

    assert tuple(FORMATS) == LEAFLET_FORMATS


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_office_sheet_carries_ten_cards_aligned_for_duplex_with_crop_marks(built, edition):
    """2 x 5 cards of 85 x 55 mm per side, each back behind its front after a long-edge duplex turn (mirrored
    left to right), crop marks at every cut, outside the cards."""
    view = view_of(built, edition)
    keys = view.key_contacts()
    with shared_pdf(leaflet(built, edition, "card-sheet")) as pdf:
        front, back = pdf.pages
        width, height = front.width / MM, front.height / MM
        mx, my = (width - 2 * 85) / 2, (height - 5 * 55) / 2
        cuts_x, cuts_y = [mx, mx + 85, mx + 170], [my + 55 * r for r in range(6)]
        for page in (front, back):
            cells = [(mx + 85 * c, my + 55 * r) for r in range(5) for c in range(2)]
            # every card's content inside its own cell
            for x, y in cells:
                inside = [ch for ch in page.chars if x * MM <= ch["x0"] and ch["x1"] <= (x + 85) * MM
                          and y * MM <= ch["top"] and ch["bottom"] <= (y + 55) * MM]
                assert inside, (edition, page.page_number, x, y)
            stray = [ch["text"] for ch in page.chars if not any(
                x * MM - 0.5 <= ch["x0"] and ch["x1"] <= (x + 85) * MM + 0.5 for x, _ in cells)]
            assert stray == [], (edition, "".join(stray))
            # crop marks: short lines outside the grid, on every cut line
            marks = [o for o in page.rects + page.lines if min(o["x1"] - o["x0"], o["bottom"] - o["top"]) < 1]
            for x in cuts_x:
                assert any(abs((o["x0"] + o["x1"]) / 2 / MM - x) < 0.3 and o["bottom"] / MM <= my + 0.1 for o in marks)
            for y in cuts_y:
                assert any(abs((o["top"] + o["bottom"]) / 2 / MM - y) < 0.3 and o["x1"] / MM <= mx + 0.1 for o in marks)
        # the fronts carry the key numbers ten times; the backs are the fronts' mirror: same rows, same cells
        text = text_of(leaflet(built, edition, "card-sheet"))
        for row in keys:
            assert text.count(row["shown"]) >= CARDS_PER_SHEET, row
    # long-edge duplex mirrors the sheet left to right: the backs' cut lines are the fronts' mirrored
    def vertical_cuts(page):
        found = sorted((o["x0"] + o["x1"]) / 2 / MM for o in page.rects + page.lines
                       if o["x1"] - o["x0"] < 1 and o["bottom"] / MM <= my + 0.1)
        return [x for i, x in enumerate(found) if i == 0 or x - found[i - 1] > 1]  # one per cut

    front_cuts, back_cuts = vertical_cuts(front), vertical_cuts(back)
    assert len(front_cuts) == len(back_cuts) == 3, (front_cuts, back_cuts)
    for a, b, cut in zip(back_cuts, sorted(width - x for x in front_cuts), cuts_x):
        assert abs(a - b) < 0.3 and abs(a - cut) < 0.3, (a, b, cut)
