"""Editions -> artifacts: an HTML site and a PDF leaflet per language x region."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import os
import re
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import urlsplit

from markupsafe import Markup

from . import __version__
from .catalogs import REVIEW_HEADER, build_date, read_catalog
from .documents import load_documents
from .editions import edition_label, select_editions
from .errors import PipelineError
from .fonts import css_stack, font_stack, text_direction, uncovered
from .layout import Project
from .models import Contact, Document, Edition, Issue, Region, Segment
from .regions import INTERNATIONAL, KINDS, REGION_NAME_CONTEXT, load_regions, verification_problem
from .pseudo import PSEUDO_LANGUAGE, pseudo_lookup
from .render_html import fill_placeholders, fill_text, load_templates, ltr, markdown_to_html
from .settings import Settings, load_settings
from .incremental import Fingerprinter, load_state, save_state, state_path
from .storage import write_atomic
from .translate import Lookup, catalog_lookup, translate_body

LEAFLET_DOC = "leaflet"
BACK_MARKER = re.compile(r"^\s*<!--\s*leaflet:\s*back\s*-->\s*$", re.M)
LEAFLET_PAGES = 2
STATIC_FILES = ("site.css", "quick-exit.js")


@dataclass
class EditionResult:
    edition: Edition
    files: dict[Path, bytes] = field(default_factory=dict)
    draft_reasons: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    leaflet_pages: int = 0
    seconds: float = 0.0
    kinds: frozenset[str] = frozenset()
    unreviewed: bool = False
    messages: tuple[int, int] = (0, 0)  # (translated, needed) for this edition
    contacts: list[dict] = field(default_factory=list)

    @property
    def draft(self) -> bool:
        return bool(self.draft_reasons)

    def summary(self) -> dict:
        """What the build state and the bundle manifest record about this edition."""
        e = self.edition
        return {"language": e.language, "region": e.region, "locale": e.locale, "draft": self.draft,
                "draft_reasons": self.draft_reasons, "unreviewed": self.unreviewed,
                "overflow": any(i.check == "fit" for i in self.issues),
                "catalog": {"translated": self.messages[0], "needed": self.messages[1]},
                "contacts": self.contacts}

    @property
    def failed(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


class BuildInputs:
    """Everything loaded once per build and shared by all editions (documents and segments on demand)."""

    def __init__(self, project: Project, settings: Settings, regions: dict[str, Region], today: dt.date,
                 editions: list[Edition]):
        self.project, self.settings, self.regions, self.today, self.editions = (
            project, settings, regions, today, editions)

    @cached_property
    def documents(self) -> list[Document]:
        return load_documents(self.project)

    @cached_property
    def segments(self) -> list[Segment]:
        from .extract import collect_segments  # Babel's extractors: only translated editions need them

        return collect_segments(self.project)


def url_label(url: str) -> str:
    parts = urlsplit(url)
    label = parts.netloc.removeprefix("www.") + parts.path
    return label.rstrip("/")


def contact_view(contact: Contact, language: str, translate: Callable[[str | None, str], str]) -> dict:
    return {
        "name": contact.name_for(language), "kind": contact.kind,
        "description": translate(None, contact.description),
        "phones": contact.phones, "url": contact.url, "url_label": url_label(contact.url) if contact.url else "",
        "sms_number": contact.sms_number, "sms_keyword": contact.sms_keyword,
        "sms_html": ltr(contact.sms_number) if contact.sms_number else "",
        "hours": translate("opening hours", contact.hours) if contact.hours else None,
        "verified_on": contact.verified_on.isoformat() if contact.verified_on else None,
    }


def qr_contact(region: Region, international: Region | None) -> Contact | None:
    """The region's QR contact, else its first reporting site, else the international one."""
    for pool in (region.contacts, international.contacts if international else ()):
        printable = [c for c in pool if c.printable and c.url]
        for candidate in ([c for c in printable if c.qr], [c for c in printable if c.kind == "report-online"]):
            if candidate:
                return candidate[0]
    return None


def css_string(text: str) -> Markup:
    """A CSS string literal (for generated content such as the DRAFT running head)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3C ")
    return Markup(f'"{escaped}"')


def _text_of(html: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", html))


class EditionBuilder:
    """Builds one edition in memory; nothing is written here."""

    def __init__(self, inputs: BuildInputs, edition: Edition, *, formats: set[str], release: bool,
                 allow_unreviewed: bool = False):
        self.inputs, self.edition, self.formats, self.release = inputs, edition, formats, release
        self.allow_unreviewed = allow_unreviewed
        project = inputs.project
        catalog = None
        self.pseudo = edition.language == PSEUDO_LANGUAGE
        if edition.locale and not self.pseudo:
            path = project.catalog(edition.locale)
            catalog = read_catalog(path, project.rel(path))
        self.lookup: Lookup = pseudo_lookup if self.pseudo else catalog_lookup(catalog)
        # a catalog is unreviewed until a native speaker sets "X-Review-Status: reviewed"
        self.unreviewed = catalog is not None and catalog.metadata.get(REVIEW_HEADER, "").strip() != "reviewed"
        self.region = inputs.regions[edition.region]
        self.international = inputs.regions.get(INTERNATIONAL)
        self.templates = load_templates(project, lambda m: self.lookup(None, m) or m,
                                        lambda c, m: self.lookup(c, m) or m)
        self.dir = text_direction(edition.language)
        # region values go into the text after sanitizing: numbers never come from translations
        self.region_name = self.t(REGION_NAME_CONTEXT, self.region.name)
        emergency = self.region.emergency
        self.emergency_html = (Markup('<a class="tel" href="tel:{}">').format(emergency.tel) + ltr(emergency.display)
                               + Markup("</a>")) if emergency else Markup("")
        self.values = {"emergency_number": self.emergency_html, "region_name": Markup.escape(self.region_name)}
        self.text_values = {"emergency_number": emergency.display if emergency else "",
                            "region_name": self.region_name}

    def t(self, context: str | None, msgid: str) -> str:
        return self.lookup(context, msgid) or msgid

    # --- gates ---------------------------------------------------------------------------------
    def printed_contacts(self) -> tuple[list[Contact], list[Contact]]:
        national = [c for c in self.region.contacts if c.printable]
        international = [c for c in self.international.contacts if c.printable] if self.international else []
        return national, international

    def draft_reasons(self) -> list[str]:
        reasons = []
        self.messages = (0, 0)
        if self.pseudo:
            reasons.append("pseudo-locale for layout testing, never released")
        elif self.edition.locale:
            wanted_paths = {d.path for d in self.inputs.documents} | {self.region.path}
            if self.international:
                wanted_paths.add(self.international.path)
            templates = self.inputs.project.rel(self.inputs.project.templates) + "/"
            needed = {(s.context, s.msgid) for s in self.inputs.segments
                      if s.path in wanted_paths or s.path.startswith(templates)}
            missing = [k for k in needed if self.lookup(*k) is None]
            self.messages = (len(needed) - len(missing), len(needed))
            if missing:
                reasons.append(f"{len(missing)} of {len(needed)} messages untranslated or fuzzy in "
                               f"locales/{self.edition.locale}")
        national, international = self.printed_contacts()
        unverified = [p for c in national + international if (p := verification_problem(c, self.inputs.today))]
        if unverified:
            reasons.append(f"{len(unverified)} printed contacts not verified live in the last 12 months "
                           f"(see `awareness contacts --due`)")
        return reasons

    # --- shared context --------------------------------------------------------------------------
    def context(self, result: EditionResult) -> dict:
        settings = self.inputs.settings
        return {
            "lang": self.edition.id, "dir": self.dir, "edition": self.edition.id, "publisher": settings.publisher,
            "region_name": self.region_name, "emergency_html": self.emergency_html,
            "exit_url": settings.quick_exit_url,
            "draft": result.draft, "review_note": self.unreviewed, "published": self.inputs.today.isoformat(),
            "version": __version__,
            "kind_labels": self.labels().kind_labels,
        }

    def labels(self):
        """Site-wide labels live in templates/labels.html, so they are extracted and translated like the rest."""
        return self.templates.env.get_template("labels.html").module

    # --- site ----------------------------------------------------------------------------------
    def site_pages(self, base: dict) -> dict[str, bytes]:
        docs = [d for d in self.inputs.documents if d.on_site]
        titles = {d.name: fill_text(self.t(None, d.title), self.text_values) for d in docs}
        descriptions = {d.name: fill_text(self.t(None, str(d.meta.get("description", ""))), self.text_values)
                        for d in docs}
        labels = self.labels()
        nav = [("index", labels.home)] + [(d.name, titles[d.name]) for d in docs] + [("contacts", labels.contacts_title)]
        pages: dict[str, bytes] = {}

        def render(name: str, template: str, title: str, description: str, **extra) -> None:
            context = dict(base, page_title=title, description=description,
                           nav=[{"href": f"{n}.html", "title": t, "current": n == name} for n, t in nav],
                           alternates=self.alternates(f"{name}.html"), switcher=self.switcher(f"{name}.html"),
                           assets="../assets/", **extra)
            pages[f"{name}.html"] = self.templates.render(template, context).encode("utf-8")

        for doc in docs:
            body = markdown_to_html(translate_body(doc.body, self.lookup))
            render(doc.name, "page.html", titles[doc.name], descriptions[doc.name],
                   content=fill_placeholders(body, self.values))
        render("index", "index.html", labels.site_title, "",
               pages=[{"href": f"{d.name}.html", "title": titles[d.name], "description": descriptions[d.name]}
                      for d in docs])
        national, international = self.printed_contacts()
        groups = [{"kind": k, "contacts": [contact_view(c, self.edition.language, self.t) for c in national
                                           if c.kind == k]} for k in KINDS]
        render("contacts", "contacts.html", labels.contacts_title, "",
               contact_groups=[g for g in groups if g["contacts"]],
               international=[contact_view(c, self.edition.language, self.t) for c in international])
        return pages

    def alternates(self, page: str) -> list[dict]:
        base_url = self.inputs.settings.base_url
        out = []
        for e in self.inputs.editions:
            href = f"{base_url.rstrip('/')}/{e.id}/{page}" if base_url else f"../{e.id}/{page}"
            out.append({"hreflang": e.id, "href": href})
        return out

    def switcher(self, page: str) -> list[dict]:
        return [{"hreflang": e.id, "href": f"../{e.id}/{page}", "label": edition_label(e),
                 "current": e.id == self.edition.id}
                for e in self.inputs.editions if e.region == self.edition.region]

    # --- leaflet -------------------------------------------------------------------------------
    def leaflet(self, base: dict, result: EditionResult) -> bytes | None:
        project = self.inputs.project
        html, stack = self.leaflet_html(base)
        missing = uncovered(_text_of(html), stack)
        if missing:
            raise PipelineError(f"leaflet {self.edition.id}: no font covers {' '.join(missing)} "
                                f"({', '.join(f'U+{ord(c):04X}' for c in missing)}); fonts tried: {', '.join(stack)}. "
                                f"Install a Noto font for that script (apt-get install fonts-noto-core fonts-noto-cjk)")
        from .render_pdf import render_pdf

        pdf = render_pdf(html, project.root, name=f"leaflet {self.edition.id}", identifier=f"leaflet-{self.edition.id}",
                         max_pages=LEAFLET_PAGES)
        result.leaflet_pages = pdf.pages
        if pdf.pages > LEAFLET_PAGES:
            severity = "error" if self.release else "warning"
            result.issues.append(Issue(project.rel(project.leaflet(self.edition.id)), 0, severity, "fit",
                                       f"edition {self.edition.id}: leaflet text overflows its {LEAFLET_PAGES} "
                                       f"sides by {pdf.pages - LEAFLET_PAGES} page(s) (about {pdf.overflow_mm:.0f} mm)"))
        return pdf.data

    def leaflet_html(self, base: dict) -> tuple[str, list[str]]:
        """The leaflet's final HTML and the font stack it needs."""
        import segno

        project = self.inputs.project
        doc = next((d for d in self.inputs.documents if d.name == LEAFLET_DOC), None)
        if doc is None:
            raise PipelineError(f"no leaflet text: add {project.rel(project.source)}/{LEAFLET_DOC}.md")
        body = translate_body(doc.body, self.lookup)
        parts = BACK_MARKER.split(body, maxsplit=1)
        if len(parts) != 2:
            raise PipelineError("leaflet.md needs a line `<!-- leaflet: back -->` between the two sides",
                                path=doc.path)
        front, back = (fill_placeholders(markdown_to_html(p), self.values) for p in parts)
        settings = self.inputs.settings
        national, international = self.printed_contacts()
        qr = qr_contact(self.region, self.international)
        stack = font_stack(self.edition.language)
        verified = [c.verified_on for c in national + international if c.verified_on]
        context = dict(
            base, title=fill_text(self.t(None, doc.title), self.text_values),
            description=fill_text(self.t(None, str(doc.meta.get("description", ""))), self.text_values),
            created=f"{self.inputs.today.isoformat()}T00:00:00Z", front=front, back=back,
            paper_css="letter" if (settings.paper or self.region.paper) == "letter" else "A4",
            crop_marks=settings.crop_marks, font_stack=Markup(css_stack(stack) + ", sans-serif"),
            logo=(project.root / settings.logo).as_uri() if settings.logo else "",
            contacts=[contact_view(c, self.edition.language, self.t) for c in national + international],
            qr_svg=Markup(segno.make(qr.url, error="m").svg_inline(scale=4, title=url_label(qr.url))) if qr else "",
            qr_label=url_label(qr.url) if qr else "",
            numbers_checked=min(verified).isoformat() if verified and len(verified) == len(national + international)
            else "",
        )
        context["draft_css"] = css_string(f"{self.t(None, 'DRAFT')} · {self.t(None, 'Not for distribution')}")
        return self.templates.render("leaflet.html", context), stack

    # --- all -----------------------------------------------------------------------------------
    def build(self) -> EditionResult:
        started = time.perf_counter()
        result = EditionResult(self.edition, kinds=frozenset(self.formats), unreviewed=self.unreviewed)
        result.draft_reasons = self.draft_reasons()
        result.messages = self.messages
        national, international = self.printed_contacts()
        result.contacts = [{"region": c.region, "id": c.id, "status": c.status,
                            "verified_on": c.verified_on.isoformat() if c.verified_on else None}
                           for c in national + international]
        project = self.inputs.project
        if self.release:
            refusals = [f"edition {self.edition.id} is a draft: {reason}" for reason in result.draft_reasons]
            if self.unreviewed and not self.allow_unreviewed:
                refusals.append(f"edition {self.edition.id}: locales/{self.edition.locale} is awaiting native-speaker "
                                f"review (X-Review-Status); use --allow-unreviewed to release it anyway")
            for message in refusals:
                result.issues.append(Issue(project.rel(project.site_edition(self.edition.id)), 0, "error", "release",
                                           message))
            if refusals:
                return result
        base = self.context(result)
        if "html" in self.formats:
            for name, data in self.site_pages(base).items():
                result.files[project.site_edition(self.edition.id) / name] = data
        if "pdf" in self.formats:
            data = self.leaflet(base, result)
            if data is not None and not result.failed:
                result.files[project.leaflet(self.edition.id)] = data
        result.seconds = time.perf_counter() - started
        return result


def final_leaflet_html(project: Project, edition_id: str) -> str:
    """The exact HTML that WeasyPrint renders for an edition's leaflet (for benchmarks and debugging)."""
    inputs, _ = load_inputs(project)
    edition = select_editions(project, inputs.regions, [edition_id])[0][0]
    builder = EditionBuilder(inputs, edition, formats={"pdf"}, release=False)
    result = EditionResult(edition)
    result.draft_reasons = builder.draft_reasons()
    return builder.leaflet_html(builder.context(result))[0]


def load_inputs(project: Project) -> tuple[BuildInputs, list[str]]:
    """(what every edition is built from, listed editions that have no catalog yet)."""
    regions = load_regions(project)
    every, missing = select_editions(project, regions, [])
    return BuildInputs(project, load_settings(project), regions, build_date().date(), every), missing


def shared_files(inputs: BuildInputs) -> dict[Path, bytes]:
    """Site-wide files: the stylesheet, the quick-exit script and the edition chooser."""
    project = inputs.project
    files = {}
    for name in STATIC_FILES:
        source = project.templates / "static" / name
        if not source.is_file():
            raise PipelineError("missing static file", path=project.rel(source))
        files[project.site / "assets" / name] = source.read_bytes()
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


@dataclass
class BuildReport:
    results: list[EditionResult]
    skipped: list[str]
    unchanged: list[str] = field(default_factory=list)

    @property
    def issues(self) -> list[Issue]:
        return [i for r in self.results for i in r.issues]

    @property
    def ok(self) -> bool:
        return not any(r.failed for r in self.results)


def parse_shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise PipelineError(f"--shard must look like 2/4 (1-based, at most the total), got '{text}'")
    return int(match.group(1)), int(match.group(2))


def shard_of(editions: list[Edition], shard: tuple[int, int]) -> list[Edition]:
    """A deterministic share: every N-th edition in id order, starting at I."""
    index, total = shard
    return sorted(editions, key=lambda e: e.id)[index - 1 :: total]


# Worker processes get the inputs by fork; WeasyPrint is imported before forking so each worker
# does not pay its import again (the anchors measured 65% efficiency without, 78% with).
_WORKER: dict = {}


def _build_one(job: tuple[Edition, frozenset[str]]) -> EditionResult:
    edition, kinds = job
    options = _WORKER["options"]
    return EditionBuilder(_WORKER["inputs"], edition, formats=set(kinds), **options).build()


def _run(inputs: BuildInputs, jobs_list: list[tuple[Edition, frozenset[str]]], jobs: int, options: dict):
    _WORKER.update(inputs=inputs, options=options)
    if jobs <= 1 or len(jobs_list) <= 1:
        for job in jobs_list:
            yield _build_one(job)
        return
    import multiprocessing

    from .render_pdf import _weasyprint

    _weasyprint()
    inputs.documents, inputs.segments  # load once in the parent, share through fork
    with multiprocessing.get_context("fork").Pool(min(jobs, len(jobs_list))) as pool:
        yield from pool.imap_unordered(_build_one, jobs_list)


def build(project: Project, *, editions: Iterable[str] = (), formats: set[str] | None = None, release: bool = False,
          allow_unreviewed: bool = False, jobs: int | None = None, shard: tuple[int, int] | None = None,
          force: bool = False, progress: Callable[[EditionResult], None] | None = None,
          planned: Callable[[int], None] | None = None) -> BuildReport:
    """Build the chosen editions (default: all with catalogs); only outputs whose inputs changed are redone."""
    wanted_ids = list(editions)
    inputs, skipped = load_inputs(project)
    # explicit ids are checked first: an unknown edition or missing catalog refuses the whole build
    chosen = select_editions(project, inputs.regions, wanted_ids)[0] if wanted_ids else inputs.editions
    skipped = [] if wanted_ids else skipped
    if shard:
        chosen = shard_of(chosen, shard)
    kinds = formats or {"html", "pdf"}
    state_file = state_path(project)
    state = load_state(state_file)
    fingerprints = Fingerprinter(project, inputs.editions, inputs.today.isoformat())
    todo: list[tuple[Edition, frozenset[str]]] = []
    unchanged: list[str] = []
    prints: dict[str, dict[str, str]] = {}
    for edition in chosen:
        region_paths = [inputs.regions[edition.region].path]
        if INTERNATIONAL in inputs.regions:
            region_paths.append(inputs.regions[INTERNATIONAL].path)
        prints[edition.id] = {k: fingerprints.of(edition, k, region_paths) for k in kinds}
        recorded = state["editions"].get(edition.id, {})
        stale = {k for k in kinds if force or recorded.get("inputs", {}).get(k) != prints[edition.id][k]
                 or not all((project.root / f).exists() for f in recorded.get("files", {}).get(k, [""]))}
        if release and not stale and (recorded.get("draft") or recorded.get("overflow") or recorded.get("unreviewed")):
            stale = set(kinds)  # re-run the gates so a release build refuses it again, and says why
        if stale:
            todo.append((edition, frozenset(stale)))
        else:
            unchanged.append(edition.id)
    options = {"release": release, "allow_unreviewed": allow_unreviewed}
    if planned:
        planned(len(todo))
    results = []
    for result in _run(inputs, todo, jobs or os.cpu_count() or 1, options):
        if not result.failed:
            for path, data in result.files.items():
                write_atomic(path, data)
            record = state["editions"].setdefault(result.edition.id, {})
            record.setdefault("inputs", {}).update({k: prints[result.edition.id][k] for k in result.kinds})
            record.setdefault("files", {}).update(
                {k: sorted(project.rel(p) for p in result.files if _kind_of(p) == k) for k in result.kinds})
            record.update(result.summary())
        if progress:
            progress(result)
        results.append(result)
    if "html" in kinds and (todo or not (project.site / "index.html").exists()):
        for path, data in shared_files(inputs).items():
            write_atomic(path, data)
    if todo:
        save_state(state_file, state)
    results.sort(key=lambda r: r.edition.id)
    return BuildReport(results, skipped, unchanged)


def _kind_of(path: Path) -> str:
    return "pdf" if path.suffix == ".pdf" else "html"
