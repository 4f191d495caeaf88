"""Render an edition's HTML site from its view; and the site-wide files (assets, edition chooser)."""

from __future__ import annotations

from pathlib import Path

from .editions import edition_label
from .errors import PipelineError
from .regions import KINDS
from .render_html import fill_placeholders, fill_text, load_templates, markdown_to_html
from .translate import translate_body
from .view import BuildInputs, EditionView

STATIC_FILES = ("site.css", "quick-exit.js")


def render_site(view: EditionView) -> dict[str, bytes]:
    """`<page>.html` -> bytes for every page of the edition's site."""
    base = view.base_context()
    docs = [d for d in view.inputs.documents if d.on_site]
    titles = {d.name: fill_text(view.t(None, d.title), view.text_values) for d in docs}
    descriptions = {d.name: fill_text(view.t(None, str(d.meta.get("description", ""))), view.text_values)
                    for d in docs}
    labels = view.labels()
    nav = [("index", labels.home)] + [(d.name, titles[d.name]) for d in docs] + [("contacts", labels.contacts_title)]
    pages: dict[str, bytes] = {}

    def render(name: str, template: str, title: str, description: str, **extra) -> None:
        context = dict(base, page_title=title, description=description,
                       nav=[{"href": f"{n}.html", "title": t, "current": n == name} for n, t in nav],
                       alternates=alternates(view, f"{name}.html"), switcher=switcher(view, f"{name}.html"),
                       assets="../assets/", **extra)
        pages[f"{name}.html"] = view.templates.render(template, context).encode("utf-8")

    for doc in docs:
        body = markdown_to_html(translate_body(doc.body, view.lookup))
        render(doc.name, "page.html", titles[doc.name], descriptions[doc.name],
               content=fill_placeholders(body, view.values))
    render("index", "index.html", labels.site_title, "",
           pages=[{"href": f"{d.name}.html", "title": titles[d.name], "description": descriptions[d.name]}
                  for d in docs])
    groups = [{"kind": k, "contacts": view.contact_views([c for c in view.national if c.kind == k])} for k in KINDS]
    render("contacts", "contacts.html", labels.contacts_title, "",
           contact_groups=[g for g in groups if g["contacts"]], international=view.contact_views(view.international))
    return pages


def alternates(view: EditionView, page: str) -> list[dict]:
    base_url = view.settings.base_url
    out = []
    for e in view.inputs.editions:
        href = f"{base_url.rstrip('/')}/{e.id}/{page}" if base_url else f"../{e.id}/{page}"
        out.append({"hreflang": e.id, "href": href})
    return out


def switcher(view: EditionView, page: str) -> list[dict]:
    return [{"hreflang": e.id, "href": f"../{e.id}/{page}", "label": edition_label(e),
             "current": e.id == view.edition.id}
            for e in view.inputs.editions if e.region == view.edition.region]


def shared_files(inputs: BuildInputs) -> dict[Path, bytes]:
    """Site-wide files: the stylesheet, the quick-exit script and the edition chooser."""
    project = inputs.project
    files = {}
    for name in STATIC_FILES:
        source = project.static / name
        if not source.is_file():
            raise PipelineError("missing static file", path=project.rel(source))
        files[project.site_assets / name] = source.read_bytes()
    templates = load_templates(project, lambda m: m, lambda c, m: m)
    regions = []
    for code in sorted({e.region for e in inputs.editions}):
        regions.append({"name": inputs.regions[code].name,
                        "editions": [{"id": e.id, "label": edition_label(e)} for e in inputs.editions
                                     if e.region == code]})
    page = templates.render("editions.html", {"publisher": inputs.settings.publisher, "regions": regions,
                                              "exit_url": inputs.settings.quick_exit_url})
    files[project.site / "index.html"] = page.encode("utf-8")
    return files
