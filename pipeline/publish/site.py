"""Render an edition's HTML site from its view; and the site-wide files: assets, the edition choosers (one
per language) and the sitemap that carries the hreflang alternates.

A page's size does not grow with the number of editions: it links its own region's languages and the chooser;
the alternates between languages live in `sitemap.xml`, where search engines look for them on large sites.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

from ..catalog.translate import translate_body
from ..contacts.needs import scope_of
from ..contacts.regions import KINDS
from ..core.errors import PipelineError
from ..core.models import Edition
from ..core.pseudo import PSEUDO_LANGUAGE
from ..edition.editions import edition_label
from ..edition.view import PREVIEW_MARKS, BuildInputs, EditionView
from ..render.fonts import text_direction
from ..render.render_html import fill_placeholders, fill_text, load_templates, markdown_to_html
from .leaflets import paper_of

STATIC_FILES = ("site.css", "exit-this-page.js", "favicon.svg")


def page_names(inputs: BuildInputs) -> list[str]:
    """Every page an edition has, without the .html (the same for every edition)."""
    return ["index"] + [d.name for d in inputs.documents if d.on_site] + ["contacts"]


def chooser_path(language: str) -> str:
    """Where the edition chooser in a language lives, relative to output/site/."""
    return f"choose/{language}.html"


def render_site(view: EditionView, leaflets: dict[str, int | None] | None = None) -> dict[str, bytes]:
    """`<page>.html` -> bytes for every page of the edition's site.

    `leaflets`: format -> file size in bytes (None when unknown) of the leaflets this edition offers."""
    base = view.base_context()
    docs = [d for d in view.inputs.documents if d.on_site]
    titles = {d.name: fill_text(view.t(None, d.title), view.text_values) for d in docs}
    descriptions = {d.name: fill_text(view.t(None, str(d.meta.get("description", ""))), view.text_values)
                    for d in docs}
    labels = view.labels
    nav = [("index", labels.home)] + [(d.name, titles[d.name]) for d in docs] + [("contacts", labels.contacts_title)]
    shared = dict(base, switcher=switcher(view), chooser=f"../{chooser_path(view.edition.language)}",
                  site_logo=site_logo(view.settings),
                  help_now=view.key_contacts(), need_labels=labels.need_labels, assets="../assets/",
                  leaflets=leaflet_links(view, leaflets or {}))
    pages: dict[str, bytes] = {}

    def render(name: str, template: str, title: str, description: str, **extra) -> None:
        context = dict(shared, page_title=title, description=description,
                       nav=[{"href": f"{n}.html", "title": t, "current": n == name} for n, t in nav], **extra)
        html = view.templates.render(template, context)
        pages[f"{name}.html"] = (mark_preview(html) if view.preview else html).encode("utf-8")

    for doc in docs:
        body = markdown_to_html(translate_body(doc.body, view.body_lookup))
        render(doc.name, "page.html", titles[doc.name], descriptions[doc.name],
               content=fill_placeholders(body, view.values))
    render("index", "index.html", labels.site_title, "",
           pages=[{"href": f"{d.name}.html", "title": titles[d.name], "description": descriptions[d.name]}
                  for d in docs])
    # an international service run from this very country (Take It Down on US editions) is listed as its own
    own = view.national + [c for c in view.international if scope_of(c, view.region) == "national"]
    groups = [{"kind": k, "contacts": view.contact_views([c for c in own if c.kind == k])} for k in KINDS]
    render("contacts", "contacts.html", labels.contacts_title, "",
           contact_groups=[g for g in groups if g["contacts"]],
           international=view.contact_views([c for c in view.international if c not in own]))
    return pages


_TAG = re.compile(r"<[^>]*>|<title>.*?</title>", re.S)
_ANY_MARK = re.compile("[\ue000-\ue005]")


def mark_preview(html: str) -> str:
    """Preview marks become <mark> elements in text; inside tags, attributes and the title they are dropped."""
    html = _TAG.sub(lambda m: _ANY_MARK.sub("", m.group(0)), html)
    for kind, (start, end) in PREVIEW_MARKS.items():
        html = html.replace(start, f'<mark class="preview-{kind}" title="{kind}">').replace(end, "</mark>")
    return html


def leaflet_links(view: EditionView, sizes: dict[str, int | None]) -> list[dict]:
    """The printable leaflets of an edition, for the page footer: format, paper and file size."""
    language = view.edition.language.split("_")[0]
    links = []
    for fmt in view.settings.formats:
        size = sizes.get(fmt)
        if not size:
            continue  # not in the output (an HTML-only build): no link to a file that is not there
        kb = max(1, round(size / 1024)) if size else 0
        try:
            shown = f"{format_decimal(kb, locale=language)} KB" if kb else ""
        except (UnknownLocaleError, ValueError):
            shown = f"{kb} KB"
        name = view.project.leaflet(view.edition.id, fmt).name
        links.append({"format": fmt, "href": f"../leaflets/{name}", "label": view.labels.format_labels[fmt],
                      "paper": paper_of(view, fmt).label, "size": shown})
    return links


def switcher(view: EditionView) -> list[dict]:
    """The other languages of the same region (bounded: a region has a few languages, not a thousand)."""
    return [{"hreflang": e.id, "href": f"../{e.id}/index.html", "label": edition_label(e),
             "current": e.id == view.edition.id}
            for e in view.inputs.site_editions if e.region == view.edition.region]


# --- site-wide files ------------------------------------------------------------------------------

def shared_files(inputs: BuildInputs) -> dict[Path, bytes]:
    """The assets, a chooser per language and the sitemap (identical on every CI shard)."""
    project = inputs.project
    files = {}
    for name in STATIC_FILES:
        source = project.static / name
        if not source.is_file():
            raise PipelineError("missing static file", path=project.rel(source))
        files[project.site_assets / name] = branded(name, source.read_bytes(), inputs.settings)
    logo = site_logo(inputs.settings)
    if logo:
        files[project.site_assets / logo] = (project.root / inputs.settings.logo).read_bytes()
    languages = chooser_languages(inputs.site_editions)
    for language in languages:
        files[project.site / chooser_path(language)] = chooser(inputs, language, languages, "../").encode("utf-8")
    files[project.site / "index.html"] = chooser(inputs, "en", languages, "").encode("utf-8")
    files[project.site / "sitemap.xml"] = sitemap(inputs).encode("utf-8")
    return files


def site_logo(settings) -> str:
    """The logo's file name under assets/ (its extension kept, so the browser knows its type), or ""."""
    return f"logo{Path(settings.logo).suffix.lower()}" if settings.logo else ""


DEFAULT_PRIMARY, DEFAULT_ACCENT = "#123c69", "#a3121f"  # the colours site.css and favicon.svg are written in


def branded(name: str, data: bytes, settings) -> bytes:
    """The publisher's colours in the stylesheet and the favicon (the files ship in the default ones)."""
    if name not in ("site.css", "favicon.svg"):
        return data
    text = data.decode("utf-8")
    for default, colour in ((DEFAULT_PRIMARY, settings.primary), (DEFAULT_ACCENT, settings.accent)):
        text = re.sub(re.escape(default), colour, text, flags=re.I)
    return text.encode("utf-8")


def chooser_languages(editions: list[Edition]) -> list[str]:
    return sorted({e.language for e in editions if e.language != PSEUDO_LANGUAGE} | {"en"})


def _sort_key(name: str) -> str:
    """Names sorted as readers expect, accents aside (Å beside A), without a collation library."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))


def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return None


def own_name(language: str) -> str:
    """A language named in itself, capitalised for a list ("Français", "Español"); the code when unknown."""
    own = _locale(language)
    label = (own.get_display_name(own) if own else None) or language
    return label[:1].upper() + label[1:]


def chooser(inputs: BuildInputs, language: str, languages: list[str], prefix: str) -> str:
    """Every region by its name in `language`, grouped by initial, each with its editions' languages
    named in their own language."""
    reader = _locale(language)
    locale = next((e.locale for e in inputs.editions if e.language == language and e.locale), None)
    lookup = _lookup_for(inputs, locale)
    templates = load_templates(inputs.project, lookup)
    regions: dict[str, dict] = {}
    for edition in inputs.site_editions:
        if edition.language == PSEUDO_LANGUAGE:
            continue
        region = inputs.regions[edition.region]
        name = (reader.territories.get(region.code) if reader else None) or region.name
        entry = regions.setdefault(region.code, {"name": name, "editions": []})
        entry["editions"].append({"id": edition.id, "lang": edition.id, "href": f"{prefix}{edition.id}/index.html",
                                  "label": own_name(edition.language)})
    groups: dict[str, list[dict]] = {}
    for region in sorted(regions.values(), key=lambda r: _sort_key(r["name"])):
        region["editions"].sort(key=lambda e: _sort_key(e["label"]))
        initial = _sort_key(region["name"])[:1].upper()
        groups.setdefault(initial if initial.isalpha() else "", []).append(region)
    choosers = []
    for other in languages:
        choosers.append({"lang": other, "label": own_name(other), "current": other == language,
                         "href": f"{other}.html" if prefix else chooser_path(other)})
    context = {"lang": language, "dir": text_direction(language), "publisher": inputs.settings.publisher,
               "exit_url": inputs.settings.quick_exit_url, "assets": f"{prefix}assets/",
               "groups": [{"letter": k, "regions": v} for k, v in groups.items()], "choosers": choosers}
    return templates.render("editions.html", context)


def _lookup_for(inputs: BuildInputs, locale: str | None):
    from ..catalog.catalogs import catalog_lookup, read_catalog

    if not locale:
        return lambda context, msgid: None
    path = inputs.project.catalog(locale)
    return catalog_lookup(read_catalog(path, inputs.project.rel(path)))


def sitemap(inputs: BuildInputs, editions: list[Edition] | None = None) -> str:
    """Every page with its language versions (the same region's other languages) as hreflang alternates,
    written by an XML writer (a base_url with `&` or `<` stays well-formed)."""
    from xml.etree import ElementTree as ET

    sm, xhtml = "http://www.sitemaps.org/schemas/sitemap/0.9", "http://www.w3.org/1999/xhtml"
    ET.register_namespace("", sm)
    ET.register_namespace("xhtml", xhtml)
    base = inputs.settings.base_url.rstrip("/")
    root = f"{base}/" if base else ""
    urlset = ET.Element(f"{{{sm}}}urlset")
    by_region: dict[str, list[Edition]] = {}
    for edition in inputs.site_editions if editions is None else editions:
        if edition.language != PSEUDO_LANGUAGE:
            by_region.setdefault(edition.region, []).append(edition)
    names = page_names(inputs)
    for code in sorted(by_region):
        versions = by_region[code]
        for edition in versions:
            for name in names:
                url = ET.SubElement(urlset, f"{{{sm}}}url")
                ET.SubElement(url, f"{{{sm}}}loc").text = f"{root}{edition.id}/{name}.html"
                for other in versions:
                    ET.SubElement(url, f"{{{xhtml}}}link", rel="alternate", hreflang=other.id,
                                  href=f"{root}{other.id}/{name}.html")
                ET.SubElement(url, f"{{{xhtml}}}link", rel="alternate", hreflang="x-default", href=f"{root}index.html")
    ET.indent(urlset, space="")
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return declaration + ET.tostring(urlset, encoding="unicode") + "\n"
