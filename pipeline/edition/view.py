"""Prepare an edition: everything the renderers need, looked up once (the only step that reads files).

catalog lookup, region and contacts, placeholder values, the gates' facts. The site and leaflet renderers
take an `EditionView` and return bytes; they read nothing themselves.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

import polib
from markupsafe import Markup

from ..catalog.catalogs import Lookup, catalog_lookup, entry_key, is_fuzzy, is_translated, read_catalog
from ..catalog.review import is_reviewed
from ..contacts.needs import Route, coverage, scope_of, uncovered
from ..contacts.regions import INTERNATIONAL, REGION_NAME_CONTEXT, RegionFiles, load_regions
from ..core import release
from ..core.layout import Project
from ..core.models import Contact, Document, Edition, Region, Segment
from ..core.pseudo import PSEUDO_LANGUAGE, pseudo_lookup
from ..core.records import ContactRecord, EditionRecord
from ..core.release import printable, verification_problem
from ..core.settings import Settings, load_settings
from ..render.fonts import text_direction
from ..render.render_html import Templates, load_templates, ltr
from ..source.documents import load_documents
from .editions import select_editions

KEY_NEEDS = ("report", "child", "crisis")  # shown large everywhere, with the emergency number


class BuildInputs:
    """Everything loaded once per build and shared by all editions (documents and segments on demand)."""

    def __init__(self, project: Project, settings: Settings, regions: Mapping[str, Region], today: dt.date,
                 editions: list[Edition]):
        self.project, self.settings, self.regions, self.today, self.editions = (
            project, settings, regions, today, editions)
        # the editions the site links (switchers, choosers, sitemap): those in the output once this build is
        # done; a partial build links no edition that was never built
        self.site_editions: list[Edition] = editions

    @cached_property
    def documents(self) -> list[Document]:
        return load_documents(self.project)

    @cached_property
    def check_inputs(self):
        """Glossaries and settings for the content checks, read once for every edition."""
        from ..catalog.checks import CheckInputs

        return CheckInputs(self.project, self.settings)

    @cached_property
    def segments(self) -> list[Segment]:
        from ..catalog.extract import collect_segments  # Babel's extractors: only translated editions need them

        return collect_segments(self.project)

    @property
    def international(self) -> Region | None:
        return self.regions.get(INTERNATIONAL)

    def needed_keys(self, region: Region) -> set[tuple[str | None, str]]:
        """The messages an edition of this region uses: documents, templates and its region files."""
        wanted = {d.path for d in self.documents} | {region.path}
        if self.international:
            wanted.add(self.international.path)
        templates = self.project.rel(self.project.templates) + "/"
        return {(s.context, s.msgid) for s in self.segments if s.path in wanted or s.path.startswith(templates)}


def load_inputs(project: Project, *, some: bool = False) -> tuple[BuildInputs, list[str]]:
    """(what every edition is built from, listed editions that have no catalog yet).

    some=True: for a build of some editions, which validates only the regions it reads (RegionFiles,
    check_regions); otherwise every region file is validated now."""
    from ..core.clock import build_date

    regions = RegionFiles(project) if some else load_regions(project)
    every, missing = select_editions(project, regions, [])
    return BuildInputs(project, load_settings(project), regions, build_date().date(), every), missing


def check_regions(inputs: BuildInputs, editions: Iterable[Edition]) -> None:
    """Validate every region that building `editions` reads: their own, the international contacts and the
    countries their services are run from (the labels name them). A build calls this before it writes
    anything, so a refused region file leaves nothing half-built."""
    international = inputs.international  # looking a region up validates it (RegionFiles)
    for edition in editions:
        region = inputs.regions[edition.region]
        for contact in (*region.contacts, *(international.contacts if international else ())):
            if contact.home() in inputs.regions:
                _ = inputs.regions[contact.home()]


def url_label(url: str) -> str:
    parts = urlsplit(url)
    label = parts.netloc.removeprefix("www.") + parts.path
    return label.rstrip("/")


_NAME_EDGES = " -–—:·,"


def name_beside(name: str, numbers: list[str]) -> str:
    """The name to print next to a number it already contains, without it: "National GBV Helpline 1195" beside
    1195 reads "National GBV Helpline", "024 - Línea de atención..." beside 024 reads "Línea de atención...".
    Only a whole, separated occurrence is taken out, and never the whole name."""
    for number in numbers:
        for found in re.finditer(re.escape(number), name):
            before, after = name[:found.start()], name[found.end():]
            if (before and before[-1].isalnum()) or (after and after[0].isalnum()):
                continue  # part of a longer word or number
            rest = (before.rstrip(_NAME_EDGES) + " " + after.lstrip(_NAME_EDGES)).strip(_NAME_EDGES)
            if rest:
                return rest
    return name


def local_date(day: dt.date, language: str) -> str:
    """A date as readers of the language write it (Babel's long form: "3 de diciembre de 2026")."""
    from babel import UnknownLocaleError
    from babel.dates import format_date

    try:
        return format_date(day, format="long", locale=language)
    except (UnknownLocaleError, ValueError):  # the pseudo-locale, or a language CLDR lacks
        return format_date(day, format="long", locale="en")


def contact_view(contact: Contact, language: str, translate: Callable[[str | None, str], str], *,
                 scope: str = "national", home_name: str = "") -> dict:
    """What templates show of a contact, in the edition's language.

    scope/home_name: whether the service is the reader's country's own, run from abroad (home_name says where)
    or international; every format prints the label that says so."""
    url, report_url = contact.url_for(language), contact.report_url_for(language)
    keyword = contact.sms.keyword_for(language) if contact.sms else ""
    name = contact.name_for(language)
    return {
        "id": contact.id, "name": name, "kind": contact.kind,
        "short_name": name_beside(name, [p.display for p in contact.phones]),
        "description": translate(None, contact.description),
        "phones": contact.phones, "url": url, "url_label": url_label(url) if url else "",
        "report_url": report_url, "report_label": url_label(report_url) if report_url else "",
        "sms": contact.sms, "sms_html": ltr(contact.sms.display) if contact.sms else "", "sms_keyword": keyword,
        "sms_link": contact.sms.sms_link_for(language) if contact.sms else "",
        "hours": translate("opening hours", contact.hours) if contact.hours else None,
        "all_day": contact.open_all_day,
        "verified_on": local_date(contact.verified_on, language) if contact.verified_on else None,
        "scope": scope, "home_name": home_name, "fallback": scope != "national",
    }


@dataclass
class EditionView:
    """One edition, ready to render."""

    inputs: BuildInputs
    edition: Edition
    region: Region
    lookup: Lookup
    templates: Templates
    unreviewed: int  # messages this edition uses that no reviewer has confirmed
    national: list[Contact]
    international: list[Contact]
    routes: dict[str, list[Route]] = field(default_factory=dict)
    translated: int = 0
    needed: int = 0
    check_errors: list[str] = field(default_factory=list)
    draft_reasons: list[str] = field(default_factory=list)
    draft_kinds: list[str] = field(default_factory=list)  # what the DRAFT banner tells readers: translation, ...
    preview: bool = False  # texts carry PREVIEW_MARKS (awareness serve)

    @property
    def project(self) -> Project:
        return self.inputs.project

    @property
    def settings(self) -> Settings:
        return self.inputs.settings

    @property
    def draft(self) -> bool:
        return bool(self.draft_reasons)

    @property
    def direction(self) -> str:
        return text_direction(self.edition.language)

    @property
    def body_lookup(self) -> Lookup | None:
        """For translating document bodies: None for an English edition, which prints them as written."""
        return None if self.edition.locale is None else self.lookup

    def t(self, context: str | None, msgid: str) -> str:
        return self.lookup(context, msgid) or msgid

    @cached_property
    def region_name(self) -> str:
        return self.t(REGION_NAME_CONTEXT, self.region.name)

    @cached_property
    def emergency_html(self) -> Markup:
        emergency = self.region.emergency
        if emergency is None:
            return Markup("")
        return Markup('<a class="tel" href="tel:{}">').format(emergency.tel) + ltr(emergency.display) + Markup("</a>")

    @cached_property
    def crisis_contact(self) -> Contact | None:
        """The crisis line the text points to (region data, never a translation)."""
        found = [r.contact for r in self.routes.get("crisis", []) if r.contact is not None]
        return next((c for c in found if c.phones), found[0] if found else None)

    @cached_property
    def crisis_html(self) -> Markup:
        contact = self.crisis_contact
        if contact is None:  # the edition is a draft that names the missing need; point to the contacts page
            return Markup('<a href="contacts.html">{}</a>').format(self.t(None, "a crisis line"))
        name = Markup("<strong>{}</strong>").format(contact.name_for(self.edition.language))
        if contact.phones:
            phone = contact.phones[0]
            return name + Markup(' (<a class="tel" href="tel:{}">').format(phone.tel) + ltr(phone.display) + \
                Markup("</a>)")
        url = contact.url_for(self.edition.language) or contact.report_url_for(self.edition.language)
        return name + Markup(' (<a href="{}" rel="noreferrer">').format(url) + ltr(url_label(url)) + Markup("</a>)")

    @property
    def values(self) -> dict[str, Markup]:
        """Placeholder values for HTML: region data goes in after sanitizing, never from translations."""
        return {"emergency_number": self.emergency_html, "region_name": Markup.escape(self.region_name),
                "crisis_line": self.crisis_html}

    @property
    def text_values(self) -> dict[str, str]:
        emergency, crisis = self.region.emergency, self.crisis_contact
        crisis_text = self.t(None, "a crisis line")
        if crisis is not None:
            reach = crisis.phones[0].display if crisis.phones else url_label(crisis.url or crisis.report_url or "")
            crisis_text = f"{crisis.name_for(self.edition.language)} ({reach})"
        return {"emergency_number": emergency.display if emergency else "", "region_name": self.region_name,
                "crisis_line": crisis_text}

    @cached_property
    def labels(self):
        """Site-wide labels live in templates/labels.html, so they are extracted and translated like the rest.
        Evaluating the module renders it: once per edition."""
        return self.templates.env.get_template("labels.html").module

    def country_name(self, code: str) -> str:
        """A country's name in the edition's language: our catalogs' for regions we publish, else CLDR's."""
        if code in self.inputs.regions:
            return self.t(REGION_NAME_CONTEXT, self.inputs.regions[code].name)
        from babel import Locale, UnknownLocaleError

        try:
            return Locale.parse(self.edition.language).territories.get(code, code)
        except (UnknownLocaleError, ValueError):
            return Locale("en").territories.get(code, code)

    def contact_views(self, contacts: list[Contact]) -> list[dict]:
        return [self.view_of(c) for c in contacts]

    def view_of(self, contact: Contact) -> dict:
        scope = scope_of(contact, self.region)
        return contact_view(contact, self.edition.language, self.t, scope=scope,
                            home_name=self.country_name(contact.home()) if scope == "abroad" else "")

    def route_views(self) -> list[dict]:
        """need -> its routes, in the reader's language (the emergency number has no contact)."""
        return [{"need": need, "routes": [self.view_of(r.contact) for r in found if r.contact is not None]}
                for need, found in self.routes.items() if need != "emergency"]

    def key_contacts(self) -> list[dict]:
        """The few routes a pocket card, a poster or the top of a page can carry: report, child helpline,
        crisis line and the emergency number, each with what to show and what to link.

        A line that answers around the clock is preferred; otherwise its hours are shown with the number."""
        rows = []
        for need in KEY_NEEDS:
            if need == "report":
                route = self.report_route
            else:  # the first route that can be dialled, a 24-hour one first; else the first of any kind
                routes = [r for r in self.routes.get(need, []) if r.contact is not None]
                dialled = [r for r in routes if r.contact.phones]
                route = next((r for r in dialled if r.contact.open_all_day), dialled[0] if dialled else
                             routes[0] if routes else None)
            if route is None or route.contact is None:
                continue
            row = dict(self.view_of(route.contact), need=need, tel="", href="", text=False)
            if need == "report" or not route.contact.phones:
                row["href"] = row["report_url"] or row["url"] or ""
                row["shown"] = url_label(row["href"])
                row["hours"] = None  # a web page has no hours; a phone's hours are printed with the phone
            else:
                phone = route.contact.phones[0]
                row.update(shown=phone.display, tel=phone.tel, text=phone.text,
                           short_name=name_beside(row["name"], [phone.display]))
                if row["all_day"]:
                    row["hours"] = None
            rows.append(row)
        emergency = self.region.emergency
        if emergency is not None:
            rows.append({"need": "emergency", "name": "", "shown": emergency.display, "tel": emergency.tel, "href": "",
                         "fallback": False, "scope": "national", "home_name": "", "text": False, "hours": None})
        return rows

    @property
    def report_route(self) -> Route | None:
        found = self.routes.get("report", [])
        chosen = [r for r in found if r.contact and r.contact.qr] or found
        return chosen[0] if chosen else None

    @property
    def report_url(self) -> str | None:
        """The page the QR code opens: the region's best reporting page, or the fallback's."""
        route = self.report_route
        return route.contact.report_url_for(self.edition.language) if route and route.contact else None

    def qr_caption(self) -> dict:
        """What the QR code opens, said from the data: a national report page, a service abroad that takes
        reports from this region, an international service, or a directory of hotlines; and whether the region
        has a national reporting service whose address is still being checked (never "there is none")."""
        route = self.report_route
        if route is None or route.contact is None:
            return {}
        contact = route.contact
        pending = [c for c in self.region.contacts if c.kind == "report-online" and c.home() == self.region.code
                   and not (printable(c) and c.report_url)]
        kind = "directory" if contact.directory else route.scope
        return {"kind": kind, "service": contact.name_for(self.edition.language),
                "country": self.country_name(contact.home()) if route.scope == "abroad" else "",
                "pending": bool(pending) and route.scope != "national"}

    def base_context(self) -> dict:
        """What every page and leaflet template sees."""
        from .. import __version__

        return {
            "lang": self.edition.id, "dir": self.direction, "edition": self.edition.id,
            "publisher": self.settings.publisher, "publisher_url": self.settings.publisher_url,
            "publisher_url_label": url_label(self.settings.publisher_url) if self.settings.publisher_url else "",
            "region_name": self.region_name,
            "emergency_html": self.emergency_html, "exit_url": self.settings.quick_exit_url,
            "draft": self.draft, "review_note": self.unreviewed > 0, "published": local_date(self.inputs.today, self.edition.language),
            "version": __version__, "kind_labels": self.labels.kind_labels,
            "draft_notes": [self.labels.draft_notes[k] for k in self.draft_kinds],
            "not_for_distribution": self.labels.not_for_distribution,
        }

    def record(self) -> EditionRecord:
        """The edition-wide facts a build records (outputs are added by the build)."""
        e = self.edition
        return EditionRecord(
            edition=e.id, language=e.language, region=e.region, locale=e.locale, draft_reasons=list(self.draft_reasons),
            unreviewed=self.unreviewed, translated=self.translated, needed=self.needed,
            check_errors=list(self.check_errors),
            contacts=[ContactRecord(c.region, c.id, c.status, c.verified_on.isoformat() if c.verified_on else None)
                      for c in self.national + self.international])


# Preview mode: text is wrapped in private-use characters by state, turned into <mark> after rendering.
PREVIEW_MARKS = {"untranslated": ("\ue000", "\ue001"), "fuzzy": ("\ue002", "\ue003"),
                 "unreviewed": ("\ue004", "\ue005")}


def preview_lookup(catalog: polib.POFile) -> Lookup:
    """A lookup that shows what is left to do: untranslated and fuzzy messages (in English) and unreviewed
    translations come back marked."""
    def wrap(text: str, kind: str) -> str:
        start, end = PREVIEW_MARKS[kind]
        return f"{start}{text}{end}"

    table: dict = {}
    for entry in catalog:
        if entry.obsolete or entry.msgid_plural:
            continue
        if is_reviewed(entry):
            table[entry_key(entry)] = entry.msgstr
        elif is_translated(entry):
            table[entry_key(entry)] = wrap(entry.msgstr, "unreviewed")
        elif is_fuzzy(entry) and entry.msgstr:
            table[entry_key(entry)] = wrap(entry.msgid, "fuzzy")
    return lambda context, msgid: table.get((context, msgid)) or wrap(msgid, "untranslated")


def prepare(inputs: BuildInputs, edition: Edition, *, preview: bool = False) -> EditionView:
    """Read the edition's catalog and work out what it shows and what holds it back.

    preview=True: the text marks what is untranslated, fuzzy or unreviewed (for `awareness serve`)."""
    project = inputs.project
    pseudo = edition.language == PSEUDO_LANGUAGE
    catalog: polib.POFile | None = None
    sources: list[tuple[str, str, polib.POFile]] = []  # (locale, path, catalog), the regional variant first
    if edition.locale and not pseudo:
        sources = edition_catalogs(project, edition.locale)
        catalog = merged_catalog([c for _, _, c in sources])
    lookup: Lookup = pseudo_lookup if pseudo else catalog_lookup(catalog)
    region = inputs.regions[edition.region]
    international = inputs.international
    view = EditionView(
        inputs=inputs, edition=edition, region=region, lookup=lookup,
        templates=load_templates(project, lookup),
        unreviewed=0,
        national=[c for c in region.contacts if printable(c)],
        international=[c for c in international.contacts if printable(c)] if international else [],
        routes=coverage(region, international))
    view.preview = preview
    if preview and catalog is not None:
        real = view.lookup
        view.lookup = preview_lookup(catalog)
        view.templates = load_templates(project, view.lookup)
        lookup = real  # the counts below are of real translations
    if catalog is not None:
        needed = inputs.needed_keys(region)
        view.needed = len(needed)
        view.translated = sum(1 for key in needed if lookup(*key) is not None)
        view.check_errors = [problem for locale, rel, source in sources
                             for problem in _content_problems(inputs, locale, source, used_from(source, catalog,
                                                                                                 needed), rel)]
        view.unreviewed = sum(1 for e in catalog if not e.obsolete and entry_key(e) in needed and not is_reviewed(e))
    unverified = [f"{c.region}/{c.id}" for c in view.national + view.international
                  if verification_problem(c, inputs.today)]
    found = release.draft_reasons(pseudo=pseudo, locale=edition.locale, translated=view.translated,
                                  needed=view.needed, unverified=unverified, uncovered_needs=uncovered(view.routes))
    view.draft_reasons = [reason for _, reason in found]
    view.draft_kinds = list(dict.fromkeys(kind for kind, _ in found))
    return view


def edition_catalogs(project: Project, locale: str) -> list[tuple[str, str, polib.POFile]]:
    """The catalogs an edition reads: a regional variant (`es_ES`) and then its language's (`es`), if both exist."""
    locales = [locale] + ([locale.split("_")[0]] if "_" in locale else [])
    found = []
    for name in locales:
        path = project.catalog(name)
        if name == locale or path.is_file():
            found.append((name, project.rel(path), read_catalog(path, project.rel(path))))
    return found


def merged_catalog(catalogs: list[polib.POFile]) -> polib.POFile:
    """One catalog for an edition: each entry from the first catalog that translates it (a regional variant
    translates only what differs from its language); an entry nobody translates stays the variant's own."""
    if len(catalogs) == 1:
        return catalogs[0]
    first, *rest = catalogs
    merged = polib.POFile()
    merged.metadata = dict(first.metadata)
    chosen: dict = {}
    for source in catalogs:
        for entry in source:
            key = (entry_key(entry), entry.obsolete)
            if key not in chosen or (not is_translated(chosen[key]) and is_translated(entry)):
                chosen[key] = entry
    for entry in chosen.values():
        merged.append(entry)
    return merged


def used_from(source: polib.POFile, merged: polib.POFile, needed: set) -> set:
    """The needed keys whose entry in the merged catalog is this source's own entry object."""
    own = {id(entry) for entry in source}
    return {entry_key(e) for e in merged if not e.obsolete and id(e) in own and entry_key(e) in needed}


def _content_problems(inputs: BuildInputs, locale: str, catalog: polib.POFile, needed: set, rel: str) -> list[str]:
    """The content checks (the registry's, as `check` and `merge` run them) on the entries an edition uses."""
    from ..catalog.checks import CONTENT_CHECKS, check_entry

    ctx = inputs.check_inputs.context(locale, catalog)
    problems = []
    for entry in catalog:
        if not entry.obsolete and entry_key(entry) in needed:
            problems += [f"{issue}" for issue in check_entry(entry, ctx, rel, CONTENT_CHECKS)
                         if issue.severity == "error"]
    return problems


def edition_view(project: Project, edition_id: str) -> EditionView:
    """One edition's view by id (for benchmarks, debugging and the preview server)."""
    inputs, _ = load_inputs(project)
    edition = select_editions(project, inputs.regions, [edition_id])[0][0]
    return prepare(inputs, edition)

