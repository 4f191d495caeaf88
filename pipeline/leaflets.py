"""Lay out and render an edition's printed leaflets: QR code, glyph preflight, WeasyPrint, fit check."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field

from markupsafe import Markup

from .errors import PipelineError
from .fonts import css_stack, font_stack, uncovered
from .render_html import fill_placeholders, fill_text, markdown_to_html
from .translate import translate_body
from .view import EditionView, url_label

LEAFLET_DOC = "leaflet"
BACK_MARKER = re.compile(r"^\s*<!--\s*leaflet:\s*back\s*-->\s*$", re.MULTILINE)


@dataclass(frozen=True)
class LeafletFormat:
    name: str
    template: str
    pages: int  # how many pages the layout has; more means the text overflowed


FORMATS = {"sheet": LeafletFormat("sheet", "leaflet.html", 2)}


@dataclass
class Leaflet:
    data: bytes
    pages: int
    fit: list[str] = field(default_factory=list)  # overflow problems, named for the person fixing them


def css_string(text: str) -> Markup:
    """A CSS string literal (for generated content such as the DRAFT running head)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")
    return Markup(f'"{escaped}"')


def _text_of(html: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", html))


def leaflet_html(view: EditionView, fmt: str = "sheet") -> tuple[str, list[str]]:
    """The leaflet's final HTML and the font stack it needs."""
    import segno

    project = view.project
    doc = next((d for d in view.inputs.documents if d.name == LEAFLET_DOC), None)
    if doc is None:
        raise PipelineError(f"no leaflet text: add {project.rel(project.source)}/{LEAFLET_DOC}.md")
    body = translate_body(doc.body, view.lookup)
    parts = BACK_MARKER.split(body, maxsplit=1)
    if len(parts) != 2:
        raise PipelineError("leaflet.md needs a line `<!-- leaflet: back -->` between the two sides", path=doc.path)
    front, back = (fill_placeholders(markdown_to_html(p), view.values) for p in parts)
    settings = view.settings
    contacts = view.national + view.international
    qr = view.report_url
    route = view.report_route
    stack = font_stack(view.edition.language)
    verified = [c.verified_on for c in contacts if c.verified_on]
    context = dict(
        view.base_context(), title=fill_text(view.t(None, doc.title), view.text_values),
        description=fill_text(view.t(None, str(doc.meta.get("description", ""))), view.text_values),
        created=f"{view.inputs.today.isoformat()}T00:00:00Z", front=front, back=back,
        paper_css="letter" if (settings.paper or view.region.paper) == "letter" else "A4",
        crop_marks=settings.crop_marks, font_stack=Markup(css_stack(stack) + ", sans-serif"),
        logo=(project.root / settings.logo).as_uri() if settings.logo else "",
        contacts=view.contact_views(contacts),
        qr_svg=Markup(segno.make(qr, error="m").svg_inline(scale=4, title=url_label(qr))) if qr else "",
        qr_label=url_label(qr) if qr else "", qr_fallback=bool(route and route.fallback),
        qr_name=route.contact.name_for(view.edition.language) if route and route.contact else "",
        numbers_checked=min(verified).isoformat() if verified and len(verified) == len(contacts) else "",
        draft_css=css_string(f"{view.t(None, 'DRAFT')} · {view.t(None, 'Not for distribution')}"),
    )
    return view.templates.render(FORMATS[fmt].template, context), stack


def render_leaflet(view: EditionView, fmt: str = "sheet") -> Leaflet:
    """Render one leaflet format; overflow is reported (the build decides whether it is an error)."""
    layout = FORMATS[fmt]
    html, stack = leaflet_html(view, fmt)
    missing = uncovered(_text_of(html), stack)
    if missing:
        raise PipelineError(f"leaflet {view.edition.id}: no font covers {' '.join(missing)} "
                            f"({', '.join(f'U+{ord(c):04X}' for c in missing)}); fonts tried: {', '.join(stack)}. "
                            f"Install a Noto font for that script (apt-get install fonts-noto-core fonts-noto-cjk)")
    from .render_pdf import render_pdf

    pdf = render_pdf(html, view.project.root, name=f"leaflet {view.edition.id}",
                     identifier=f"leaflet-{view.edition.id}" + ("" if fmt == "sheet" else f"-{fmt}"),
                     max_pages=layout.pages)
    fit = []
    if pdf.pages > layout.pages:
        fit.append(f"{fmt} leaflet text overflows its {layout.pages} sides by {pdf.pages - layout.pages} page(s) "
                   f"(about {pdf.overflow_mm:.0f} mm)")
    return Leaflet(pdf.data, pdf.pages, fit)
