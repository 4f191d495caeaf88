"""Lay out and render an edition's printed leaflets: sheet, tri-fold, wallet card and poster.

Every format is pages of fixed-size panels (templates/print/<format>.html). The text comes from
`leaflet.md`, split into named sections (`<!-- leaflet: section=what -->`); each format places the sections
it has room for. A panel whose content does not fit runs onto another page: the fit check names it.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field

from markupsafe import Markup

from ..catalog.translate import translate_body
from ..core.constants import LEAFLET_FORMATS
from ..core.errors import PipelineError
from ..core.settings import _tint
from ..edition.view import EditionView, local_date, url_label
from ..render.fonts import css_stack, font_stack, uncovered
from ..render.render_html import fill_placeholders, fill_text, markdown_to_html

LEAFLET_DOC = "leaflet"
SECTION = re.compile(r"^\s*<!--\s*leaflet:\s*section=([a-z][a-z0-9-]*)\s*-->\s*$", re.M)
LARGE_PRINT_PT = 12.5  # RNIB Clear Print asks for at least 12 pt


@dataclass(frozen=True)
class Paper:
    css: str  # the @page size
    label: str  # the name people know
    width: float  # mm
    height: float  # mm


A4, LETTER = Paper("A4", "A4", 210, 297), Paper("letter", "US Letter", 215.9, 279.4)
CARD = Paper("85mm 55mm", "85 × 55 mm", 85, 55)


@dataclass(frozen=True)
class LeafletFormat:
    name: str
    pages: int
    panels: tuple[str, ...]  # panel ids, in reading order, for error messages and tests
    sizes: dict[str, Paper]  # paper family ("a4" or "letter") -> the paper this format is printed on
    min_pt: float  # the smallest text allowed (checked on every character of the PDF)
    base_pt: float  # body text
    qr_mm: float  # the QR code's printed size, quiet zone included


FORMATS = {
    "sheet": LeafletFormat("sheet", 2, ("front", "back"), {"a4": A4, "letter": LETTER}, 10, 11.5, 30),
    "trifold": LeafletFormat("trifold", 2, ("flap", "back", "cover", "inside-1", "inside-2", "inside-3"),
                             {"a4": Paper("A4 landscape", "A4", 297, 210),
                              "letter": Paper("letter landscape", "US Letter", 279.4, 215.9)},
                             10, 10.5, 40),
    "card": LeafletFormat("card", 2, ("card-front", "card-back"), {"a4": CARD, "letter": CARD}, 8, 8.5, 21),
    # ten cards per side for an office printer; a card that fits on its own fits here (same faces, same CSS)
    "card-sheet": LeafletFormat("card-sheet", 2, ("fronts", "backs"), {"a4": A4, "letter": LETTER}, 8, 8.5, 21),
    "poster": LeafletFormat("poster", 1, ("poster",), {"a4": Paper("A3", "A3", 297, 420),
                                                       "letter": Paper("11in 17in", "Tabloid", 279.4, 431.8)},
                            14, 17, 75),
}
assert tuple(FORMATS) == LEAFLET_FORMATS, "every format named in constants.py has its layout here, in that order"
SHEET_SECTIONS = ("what", "words", "why", "how", "fault", "threat")  # the sections the layouts place by name


CARD_GRID = (2, 5)  # columns, rows of wallet cards on the office sheet


def card_sheet_layout(paper: Paper) -> dict:
    """Where the office sheet puts its cards (mm from the top left): a centred 2 x 5 grid, each back behind its
    front after a long-edge duplex turn (mirrored left to right); the crop marks at the end of every cut."""
    cols, rows = CARD_GRID
    w, h = CARD.width, CARD.height
    mx, my = (paper.width - cols * w) / 2, (paper.height - rows * h) / 2
    cells = [(c, r) for r in range(rows) for c in range(cols)]
    front = [(mx + c * w, my + r * h) for c, r in cells]
    back = [(mx + (cols - 1 - c) * w, my + r * h) for c, r in cells]
    gap_y = 1 if my >= 4 else 0.3  # on Letter the grid leaves 2.2 mm above and below: short marks
    len_y, len_x = min(5, my - gap_y - 0.7), min(5, mx - 1.7)
    marks = []
    for c in range(cols + 1):
        x = mx + c * w
        marks += [(x, my - gap_y - len_y, x, my - gap_y), (x, my + rows * h + gap_y, x, my + rows * h + gap_y + len_y)]
    for r in range(rows + 1):
        y = my + r * h
        marks += [(mx - 1 - len_x, y, mx - 1, y), (mx + cols * w + 1, y, mx + cols * w + 1 + len_x, y)]
    return {"front": front, "back": back, "marks": marks}


def fold_widths(width: float) -> tuple[float, float, float]:
    """Roll fold: two full panels and the one folded inside 3 mm narrower, so it closes flat."""
    full = round((width + 3) / 3, 2)
    return (round(width - 2 * full, 2), full, full)


@dataclass
class Leaflet:
    data: bytes
    pages: int
    fit: list[str] = field(default_factory=list)  # overflow problems, each naming the panel


def paper_family(view: EditionView) -> str:
    return view.settings.paper or view.region.paper


def paper_of(view: EditionView, fmt: str) -> Paper:
    return FORMATS[fmt].sizes[paper_family(view)]


def _text_of(html: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", html))


def leaflet_sections(view: EditionView) -> tuple[str, dict[str, Markup]]:
    """(the leaflet's title, its translated sections by name)."""
    project = view.project
    doc = next((d for d in view.inputs.documents if d.name == LEAFLET_DOC), None)
    if doc is None:
        raise PipelineError(f"no leaflet text: add {project.rel(project.source)}/{LEAFLET_DOC}.md")
    parts = SECTION.split(translate_body(doc.body, view.body_lookup))
    if len(parts) < 3:
        raise PipelineError("leaflet.md needs sections marked `<!-- leaflet: section=NAME -->`", path=doc.path)
    sections = {name: fill_placeholders(markdown_to_html(text), view.values)
                for name, text in zip(parts[1::2], parts[2::2])}
    return fill_text(view.t(None, doc.title), view.text_values), sections


def help_routes(view: EditionView, per_need: int = 2) -> list[dict]:
    """Every need with up to `per_need` of its routes: what the sheet and tri-fold list under "Where to get help".

    Needs answered by the very same services share one entry (Stop It Now serves worried adults and people
    worried about their own thoughts): each reader still finds the heading for them, the list is not repeated."""
    out: list[dict] = []
    for item in view.route_views():
        routes = item["routes"][:per_need]
        if not routes:
            continue
        ids = [c["id"] for c in routes]
        if out and out[-1]["ids"] == ids:
            out[-1]["needs"].append(item["need"])
        else:
            out.append({"need": item["need"], "needs": [item["need"]], "routes": routes, "ids": ids})
    return out


def qr_svg(url: str, size_mm: float, alt: str = "") -> Markup:
    """The code as inline SVG (no fetch, nothing to smuggle in), quiet zone of 4 modules included. Its <title>
    is the figure's alternative text in the PDF (WeasyPrint tags an inline SVG as a Figure)."""
    import segno

    code = segno.make(url, error="m")
    svg = code.svg_inline(border=4, omitsize=True, title=str(alt) or url_label(url))  # a viewBox: CSS sizes it
    return Markup(svg.replace("<svg ", f'<svg style="width:{size_mm}mm;height:{size_mm}mm" ', 1))


def primary_tint(colour: str) -> str:
    """The light box behind a key number: 10% of the primary colour (settings check its contrast)."""
    return _tint(colour, 0.1)


def print_context(view: EditionView, fmt: str) -> tuple[dict, list[str]]:
    """What the format's template sees, and the font stack it needs."""
    layout = FORMATS[fmt]
    settings = view.settings
    title, sections = leaflet_sections(view)
    contacts = view.national + view.international
    verified = [c.verified_on for c in contacts if c.verified_on]
    qr = view.report_url
    stack = font_stack(view.edition.language)
    paper = paper_of(view, fmt)
    labels = view.labels
    large = settings.large_print and fmt in ("sheet", "trifold")
    context = dict(
        view.base_context(), format=fmt, title=title, sections=sections,
        description=fill_text(view.t(None, "Child sexual abuse material: know it, report it, get help"),
                              view.text_values),
        created=f"{view.inputs.today.isoformat()}T00:00:00Z", page_size=paper.css, page_w=paper.width,
        page_h=paper.height, panel_widths=fold_widths(paper.width),
        extra_sections=[name for name in sections if name not in SHEET_SECTIONS],
        crop_marks=settings.crop_marks, font_stack=Markup(css_stack(stack) + ", sans-serif"),
        base_pt=LARGE_PRINT_PT if large else layout.base_pt,
        primary=settings.primary, accent=settings.accent,
        logo=(view.project.root / settings.logo).as_uri() if settings.logo else "",
        key_routes=view.key_contacts(), help_routes=help_routes(view),
        qr_svg=bool(qr), qr_code=lambda alt="": qr_svg(qr, layout.qr_mm, alt) if qr else "",
        qr_label=url_label(qr) if qr else "", primary_tint=primary_tint(settings.primary),
        qr=view.qr_caption(),
        numbers_checked=local_date(min(verified), view.edition.language) if verified and len(verified) == len(contacts)
        else "",
        labels_not_for_distribution=labels.not_for_distribution,
        discreet=settings.discreet_card, need_labels=labels.need_labels, short_need_labels=labels.short_need_labels,
        cards=card_sheet_layout(paper) if fmt == "card-sheet" else None,
    )
    return context, stack


def leaflet_html(view: EditionView, fmt: str = "sheet") -> tuple[str, list[str]]:
    """The leaflet's final HTML and the font stack it needs."""
    context, stack = print_context(view, fmt)
    return view.templates.render(f"print/{fmt}.html", context), stack


def render_leaflet(view: EditionView, fmt: str = "sheet") -> Leaflet:
    """Render one format; every panel that overflows is reported by name (the build decides how severe)."""
    layout = FORMATS[fmt]
    html, stack = leaflet_html(view, fmt)
    missing = uncovered(_text_of(html), stack)
    if missing:
        raise PipelineError(f"leaflet {view.edition.id}: no font covers {' '.join(missing)} "
                            f"({', '.join(f'U+{ord(c):04X}' for c in missing)}); fonts tried: {', '.join(stack)}. "
                            f"Install a Noto font for that script (apt-get install fonts-noto-core fonts-noto-cjk)")
    from ..render.render_pdf import render_pdf, tile_pages

    pdf = render_pdf(html, view.project.root, name=f"leaflet {view.edition.id}",
                     identifier=f"leaflet-{view.edition.id}" + ("" if fmt == "sheet" else f"-{fmt}"),
                     max_pages=layout.pages)
    data = pdf.data
    if fmt == "card-sheet" and pdf.pages == layout.pages:  # one card laid out per side, printed ten times
        cards = card_sheet_layout(paper_of(view, fmt))
        steps = [[(x - side[0][0], y - side[0][1]) for x, y in side[1:]] for side in (cards["front"], cards["back"])]
        data = tile_pages(data, steps, cards["marks"])
    return Leaflet(data, pdf.pages, fit_problems(fmt, pdf.pages, pdf.panels, pdf.overflow_mm))


def fit_problems(fmt: str, pages: int, panels: dict[str, list[tuple[int, float]]], overflow_mm: float) -> list[str]:
    """Each panel that ran onto another page, by name and by how much; or the page count when none did."""
    layout = FORMATS[fmt]
    problems = []
    for panel in layout.panels:
        fragments = panels.get(panel, [])
        if len(fragments) > 1:
            extra = sum(height for _, height in fragments[1:])
            problems.append(f"{fmt} panel '{panel}' overflows by about {max(extra, 1):.0f} mm: shorten its text "
                            f"(or try the pseudo-locale to see which strings grow)")
    if not problems and pages > layout.pages:
        problems.append(f"{fmt} leaflet text overflows its {layout.pages} sides by {pages - layout.pages} page(s) "
                        f"(about {overflow_mm:.0f} mm)")
    return problems
