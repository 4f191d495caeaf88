"""Region and contact data: the TOML schema, validated (every problem of a file, at once), and the record of
live verification. Numbers themselves are phones.py's."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers as pn

from ..core.constants import LOCALE_ID, PAPERS
from ..core.errors import InputRefused, UsageError
from ..core.files import read_toml, toml_key_line
from ..core.layout import Project
from ..core.models import INTERNATIONAL, Contact, Issue, Phone, Region
from ..core.release import verification_problem
from ..core.storage import write_atomic
from .needs import NEEDS, PREVENTION_KIND
from .phones import parse_phone

REGION_NAME_CONTEXT = "region name"  # msgctxt of region names in the POT
KINDS = ("report-online", "child-helpline", "crisis", "adult-support", "prevention", "image-removal", "police")
STATUSES = ("confirmed", "partly", "unconfirmed")
REGION_KEYS = {"code", "name", "paper", "languages", "emergency", "contacts"}
CONTACT_KEYS = {"based_in", "directory", "id", "kind", "name", "local_names", "description", "url", "report_url", "local_urls",
                "local_report_urls", "phones", "sms", "needs", "chat", "hours", "languages", "source", "status",
                "verified_on", "verified_how", "verified_by", "qr", "notes"}
PHONE_KEYS = {"number", "text", "landline", "unlisted", "note", "verified_on"}
HOW = ("phone", "site")  # how a live check was made: a call to the number, or the organisation's own site
REQUIRED_CONTACT_KEYS = ("id", "kind", "name", "description", "source", "status")
NEED_NAMES = tuple(need for need in NEEDS if need != "emergency")  # the emergency number is the region's
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# a description is read aloud by translators into every language: numbers and addresses come from data only
_NUMBER_IN_TEXT = re.compile(r"\d[\d .\-]{2,}\d|\d{3,}")
_ADDRESS_IN_TEXT = re.compile(r"https?://|www\.|\b[\w-]+\.(?:org|com|net|gov|edu|info|uk|ca|au|de|fr|es|br|mx|jp|"
                              r"in|ke|eg|pl|ua)\b", re.I)

def _phone_entry(item: object, region: str) -> Phone:
    if isinstance(item, str):
        return parse_phone(item, region)
    if not isinstance(item, dict):
        raise ValueError("must be \"number\" or { number = \"...\", ... }")
    unknown = sorted(set(item) - PHONE_KEYS)
    if unknown:
        raise ValueError(f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(PHONE_KEYS))})")
    flags = {k: item.get(k, False) for k in ("text", "landline")}
    if not all(isinstance(v, bool) for v in flags.values()):
        raise ValueError("text and landline must be true or false")
    unlisted, note = item.get("unlisted", ""), item.get("note", "")
    if not isinstance(unlisted, str) or not isinstance(note, str):
        raise ValueError("unlisted and note must be text")
    phone = parse_phone(item.get("number"), region, unlisted=unlisted.strip(), note=note.strip(), **flags)
    return replace(phone, verified_on=_date(item["verified_on"])) if "verified_on" in item else phone


class _Lines:
    """Finds the line of a key in a TOML file, for error messages and PO locations."""

    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.contact_starts = [i + 1 for i, line in enumerate(self.lines) if line.strip() == "[[contacts]]"]

    def key(self, key: str, start: int = 1, end: int | None = None) -> int:
        return toml_key_line(self.lines, key, start, end)

    def contact(self, index: int) -> tuple[int, int | None]:
        start = self.contact_starts[index] if index < len(self.contact_starts) else 1
        end = self.contact_starts[index + 1] if index + 1 < len(self.contact_starts) else None
        return start, end


def _url(value: object, what: str, *, allow_http: bool = False) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text")
    parts = urlsplit(value)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.netloc:
        raise ValueError(f"{what} must be an {' or '.join(schemes)} URL, got '{value}'")
    return value


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be non-empty text")
    return value.strip()


def _language_table(value: object, what: str, check) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and LOCALE_ID.match(k) for k in value):
        raise ValueError(f"{what} must be a table of language = \"...\"")
    return tuple(sorted((k, check(v, f"{what}.{k}")) for k, v in value.items()))


class _ContactReader:
    """Reads one [[contacts]] table, collecting every problem with the key it is about."""

    def __init__(self, data: dict, phone_region: str | None):
        self.data, self.phone_region = data, phone_region
        self.problems: list[tuple[str, str]] = []  # (key, message)

    def get(self, key: str, read, default=None):
        if key not in self.data:
            return default
        try:
            return read(self.data[key])
        except ValueError as exc:
            self.problems.append((key, str(exc) if str(exc).startswith(key) else f"{key}: {exc}"))
            return default

    def read(self, region: str) -> Contact | None:
        data = self.data
        for key in sorted(set(data) - CONTACT_KEYS):
            self.problems.append((key, f"unknown key '{key}' (allowed: {', '.join(sorted(CONTACT_KEYS))})"))
        for key in REQUIRED_CONTACT_KEYS:
            if key not in data:
                self.problems.append(("id", f"missing key '{key}'"))
        contact_id = self.get("id", lambda v: _id(_text(v, "id")), "?")
        kind = self.get("kind", lambda v: _choice(v, KINDS, "kind"))
        status = self.get("status", lambda v: _choice(v, STATUSES, "status"))
        verified = self.get("verified_on", _date)
        if status == "confirmed" and verified is None and "verified_on" not in data:
            self.problems.append(("status", "a confirmed contact needs verified_on (the date of the live check)"))
        phones = self.get("phones", self._phones, ())
        sms = self.get("sms", self._sms)
        description = self.get("description", _description, "")
        contact = Contact(
            id=contact_id, kind=kind or "", name=self.get("name", lambda v: _text(v, "name"), ""),
            description=description, source=self.get("source", lambda v: _url(v, "source", allow_http=True), ""),
            status=status or "", url=self.get("url", lambda v: _url(v, "url")),
            report_url=self.get("report_url", lambda v: _url(v, "report_url")), phones=phones,
            sms=sms, chat=self.get("chat", lambda v: _url(v, "chat")),
            hours=self.get("hours", lambda v: _text(v, "hours")),
            languages=self.get("languages", _languages, ()), verified_on=verified,
            verified_how=self.get("verified_how", lambda v: _choice(v, HOW, "verified_how"), ""),
            verified_by=self.get("verified_by", lambda v: _text(v, "verified_by"), ""),
            qr=self.get("qr", _bool("qr"), False),
            local_names=self.get("local_names", lambda v: _language_table(v, "local_names", _text), ()),
            local_urls=self.get("local_urls", lambda v: _language_table(v, "local_urls", _url), ()),
            local_report_urls=self.get("local_report_urls",
                                       lambda v: _language_table(v, "local_report_urls", _url), ()),
            needs=self.get("needs", _needs, ()), notes=self.get("notes", lambda v: _text(v, "notes")),
            based_in=self.get("based_in", _based_in, ""),
            directory=self.get("directory", _bool("directory"), False),
            region=region)
        self._consistent(contact, region)
        return None if self.problems else contact

    def _consistent(self, contact: Contact, region: str) -> None:
        """Rules between keys: what a key promises must be backed by another."""
        if "report" in contact.needs and not contact.report_url:
            self.problems.append(("needs", "needs: \"report\" needs a report_url (the page that takes reports); "
                                           "add report_url, or remove \"report\" (a report_url alone is enough)"))
        if contact.kind == PREVENTION_KIND and contact.needs:
            self.problems.append(("needs", "needs: a prevention service answers only people worried about their "
                                           "own thoughts; list it for no other need (a parent or a child must be "
                                           "sent to a service for them)"))
        if contact.based_in and contact.based_in == region:
            self.problems.append(("based_in", f"based_in: '{contact.based_in}' is this file's region; remove it"))
        if contact.directory and not contact.report_url:
            self.problems.append(("directory", "directory: a directory of hotlines needs its list as report_url"))

    def _phones(self, value: object) -> tuple[Phone, ...]:
        if not isinstance(value, list):
            raise ValueError("must be a list")
        if value and self.phone_region is None:
            raise ValueError("international contacts cannot carry phone numbers (they are dialled per country)")
        phones = []
        for index, item in enumerate(value):
            try:
                phones.append(_phone_entry(item, self.phone_region or ""))
            except ValueError as exc:
                self.problems.append(("phones", f"phones[{index}]: {exc}"))
        return tuple(phones)

    def _sms(self, value: object) -> Phone:
        if not isinstance(value, dict) or "number" not in value or set(value) - {"number", "keyword",
                                                                                   "local_keywords", "verified_on"}:
            raise ValueError("must be { number = \"...\", keyword = \"...\", local_keywords = { fr = \"...\" } }")
        if self.phone_region is None:
            raise ValueError("international contacts cannot carry text numbers")
        keyword = _keyword(value.get("keyword", ""), "keyword") if value.get("keyword", "") != "" else ""
        local = _language_table(value.get("local_keywords", {}), "local_keywords", _keyword)
        if local and not keyword:
            raise ValueError("local_keywords need a keyword for the other languages")
        phone = parse_phone(value["number"], self.phone_region)
        verified = _date(value["verified_on"]) if "verified_on" in value else None
        return replace(phone, keyword=keyword, local_keywords=local, text=True, verified_on=verified)


def _keyword(value: object, what: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9]{1,20}", value):
        raise ValueError(f"{what} must be one word of letters or digits, as the service publishes it")
    return value


def _based_in(value: object) -> str:
    if not isinstance(value, str) or not value.isupper() or pn.country_code_for_region(value) == 0:
        raise ValueError(f"based_in must be the ISO code of the country the service is run from, e.g. \"US\"; "
                         f"got {value!r}")
    return value


def _id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"id '{value}' must be lower-case letters, digits and hyphens")
    return value


def _choice(value: object, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} '{value}' is not one of {', '.join(allowed)}")
    return str(value)


def _date(value: object) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError("verified_on must be a TOML date like 2026-11-27")
    return value


def _bool(what: str):
    def read(value: object) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"{what} must be true or false")
        return value
    return read


def _languages(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ValueError("languages must be a list of language codes")
    return tuple(value)


def _needs(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(v in NEED_NAMES for v in value):
        raise ValueError(f"needs must be a list of: {', '.join(NEED_NAMES)}")
    return tuple(value)


def _description(value: object) -> str:
    text = _text(value, "description")
    if _NUMBER_IN_TEXT.search(text) or _ADDRESS_IN_TEXT.search(text):
        raise ValueError("description: no phone numbers or web addresses here (they come from phones and url, "
                         "so translations cannot change them)")
    return text


def load_region(project: Project, path: Path, read: tuple[dict, str] | None = None) -> Region:
    """Load and validate one region file; every problem is reported, then the whole file is refused.
    `read`: the file's (data, text) when it has been read already."""
    rel = project.rel(path)
    data, text = read or read_toml(path, rel)
    lines = _Lines(text)
    problems: list[Issue] = []

    def fail(key: str, reason: str, start: int = 1, end: int | None = None) -> None:
        message = reason if reason.startswith(key) else f"{key}: {reason}"
        problems.append(Issue(rel, lines.key(key, start, end), "error", "region", message))

    for key in sorted(set(data) - REGION_KEYS):
        fail(key, f"unknown key (allowed: {', '.join(sorted(REGION_KEYS))})")
    code = data.get("code")
    if not isinstance(code, str) or code.lower() != path.stem.lower() and code != INTERNATIONAL:
        fail("code", f"must be the region's ISO code matching the file name '{path.stem}'")
        code = path.stem.upper()
    elif code != INTERNATIONAL and (not code.isupper() or pn.country_code_for_region(code) == 0):
        fail("code", f"'{code}' is not a known ISO 3166-1 region code")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        fail("name", "must be non-empty text")
        name = code
    phone_region = None if code == INTERNATIONAL else code
    paper, languages, emergency = "a4", ("en",), None
    if phone_region:
        paper = data.get("paper")
        if paper not in PAPERS:
            fail("paper", f"must be one of {', '.join(PAPERS)}")
        languages = data.get("languages")
        if (not isinstance(languages, list) or not languages or languages[0] != "en"
                or not all(isinstance(x, str) and LOCALE_ID.match(x) for x in languages)):
            fail("languages", "must be a list of language codes starting with \"en\", e.g. [\"en\", \"fr\"]")
            languages = ["en"]
        languages = tuple(languages)
        if "emergency" not in data:
            fail("emergency", "missing: the region's emergency number as it is published, e.g. \"112\"")
        else:
            try:
                emergency = parse_phone(data["emergency"], phone_region)
            except ValueError as exc:
                fail("emergency", str(exc))
    contacts: list[Contact] = []
    seen: set[str] = set()
    raw_contacts = data.get("contacts", [])
    if not isinstance(raw_contacts, list):
        fail("contacts", "must be [[contacts]] tables")
        raw_contacts = []
    for index, item in enumerate(raw_contacts):
        start, end = lines.contact(index)
        label = f"contacts[{index + 1}] ({item.get('id', '?') if isinstance(item, dict) else '?'})"
        if not isinstance(item, dict):
            problems.append(Issue(rel, start, "error", "region", f"{label}: each [[contacts]] entry must be a table"))
            continue
        reader = _ContactReader(item, phone_region)
        contact = reader.read(code)
        for key, message in reader.problems:
            problems.append(Issue(rel, lines.key(key, start, end), "error", "region", f"{label}: {message}"))
        if contact is None:
            continue
        if contact.id in seen:
            problems.append(Issue(rel, lines.key("id", start, end), "error", "region",
                                  f"contacts: duplicate id '{contact.id}'"))
        seen.add(contact.id)
        contacts.append(replace(contact, line=start))
    qr = [c for c in contacts if c.qr]
    if len(qr) > 1:
        problems.append(Issue(rel, qr[1].line, "error", "region",
                              f"contacts: only one contact may carry qr = true ({', '.join(c.id for c in qr)})"))
    for contact in qr:
        if not contact.report_url:
            problems.append(Issue(rel, contact.line, "error", "region",
                                  f"contacts: the qr contact '{contact.id}' needs a report_url (a page that takes "
                                  f"reports; a home page is not enough)"))
    if problems:
        raise InputRefused.collected(problems, "region file")
    return Region(code=code, name=name.strip(), path=rel, paper=paper, languages=languages, emergency=emergency,
                  contacts=tuple(contacts))


def load_regions(project: Project) -> dict[str, Region]:
    """All regions by code (the international contacts under 'INT'), every file validated."""
    regions = {}
    for path in project.region_files():
        region = load_region(project, path)
        regions[region.code] = region
    return regions


class RegionFiles(Mapping[str, Region]):
    """Every region file of a project by its code, each validated the first time it is looked up.

    A build of some editions needs their regions, the international contacts and the countries their services
    are run from, and of every other region only the languages (which editions exist): `languages` reads them
    from the file without validating it. Validating every region (phonenumbers loads each country's metadata)
    took a one-edition build 0.04 s. Every file is still read as TOML (a syntax error refuses the build);
    `load_regions` (contacts, extract, bundle) and a build of every edition validate them all."""

    def __init__(self, project: Project):
        self.project = project
        self._files: dict[str, tuple[Path, tuple[dict, str]]] = {}
        for path in project.region_files():
            data, text = read_toml(path, project.rel(path))
            code = data.get("code")
            # a valid file's code (load_region refuses any other, when it is looked up)
            self._files[code if isinstance(code, str) else path.stem.upper()] = (path, (data, text))
        self._regions: dict[str, Region] = {}

    def __getitem__(self, code: str) -> Region:
        if code not in self._regions:
            path, read = self._files[code]
            self._regions[code] = load_region(self.project, path, read)
        return self._regions[code]

    def __contains__(self, code: object) -> bool:
        return code in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def languages(self, code: str) -> tuple[str, ...]:
        """The region's edition languages, as validation would accept them (else the region is validated,
        which refuses it with every problem)."""
        if code in self._regions or code == INTERNATIONAL:
            return self[code].languages
        languages = self._files[code][1][0].get("languages")
        if (isinstance(languages, list) and languages and languages[0] == "en"
                and all(isinstance(x, str) and LOCALE_ID.match(x) for x in languages)):
            return tuple(languages)
        return self[code].languages


# --- verification records (the rule of what counts as verified is release.py's) ------------------------

@dataclass(frozen=True)
class ContactRow:
    region: str
    id: str
    kind: str
    name: str
    status: str
    verified_on: str | None
    source: str
    url: str | None
    phones: tuple[str, ...]
    due: bool
    path: str
    line: int

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__, phones=list(self.phones))


def contact_rows(regions: dict[str, Region], today: dt.date) -> list[ContactRow]:
    rows = []
    for code in sorted(regions):
        region = regions[code]
        for c in region.contacts:
            rows.append(ContactRow(
                region=code, id=c.id, kind=c.kind, name=c.name, status=c.status,
                verified_on=c.verified_on.isoformat() if c.verified_on else None, source=c.source, url=c.url,
                phones=tuple(p.display for p in c.phones), due=verification_problem(c, today) is not None,
                path=region.path, line=c.line))
    return rows


def record_verification(project: Project, region_code: str, contact_id: str, day: dt.date, *, how: str = "",
                        by: str = "", number: str | None = None) -> tuple[Path, str]:
    """Record a live check of one contact on `day` (of one of its numbers, when it has several), keeping the
    file's layout and comments. The contact is confirmed once every number it prints has been checked.
    Returns the file and what was recorded, in words."""
    import tomlkit

    regions = load_regions(project)  # validates every file first
    region = regions.get(region_code.upper())
    if region is None:
        raise UsageError(f"unknown region '{region_code}' (known: {', '.join(sorted(regions))})")
    contact = next((c for c in region.contacts if c.id == contact_id), None)
    if contact is None:
        known = ", ".join(c.id for c in region.contacts)
        raise UsageError(f"region {region.code} has no contact '{contact_id}' (known: {known})", path=region.path)
    if how and how not in HOW:
        raise UsageError(f"--how must be one of {', '.join(HOW)}")
    shown = [p.display for p in contact.numbers]
    if number is not None and number not in shown:
        raise UsageError(f"{region.code}/{contact_id} prints no number '{number}' (it prints: "
                         f"{', '.join(shown) or 'none'})", path=region.path)
    if number is None and len(shown) > 1:
        raise UsageError(f"{region.code}/{contact_id} prints {len(shown)} numbers ({', '.join(shown)}): check each "
                         f"and record it with --number, e.g. --number \"{shown[0]}\"", path=region.path)
    path = project.root / region.path
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = next(t for t in document["contacts"] if t["id"] == contact_id)
    checked = {p.display: p.verified_on for p in contact.numbers}
    if number is not None and len(shown) > 1:
        _mark_number(table, number, day)
        checked[number] = day
    if len(shown) <= 1 or all(checked.values()):
        table["status"] = "confirmed"
        table["verified_on"] = min([day, *(d for d in checked.values() if d)]) if len(shown) > 1 else day
        done = "confirmed"
    else:
        left = [n for n, d in checked.items() if not d]
        done = f"number {number} checked; still to check: {', '.join(left)}"
    if how:
        table["verified_how"] = how
    if by:
        table["verified_by"] = by
    write_atomic(path, tomlkit.dumps(document).encode("utf-8"))
    load_region(project, path)  # the written file must still load
    return path, done


def _mark_number(table, number: str, day: dt.date) -> None:
    """Write the check date beside one number, turning a plain "number" into { number = ..., verified_on = ... }."""
    import tomlkit

    sms = table.get("sms")
    if sms is not None and str(sms["number"]).strip() == number:
        sms["verified_on"] = day
        return
    phones = table["phones"]
    for index, item in enumerate(phones):
        raw = item if isinstance(item, str) else item["number"]
        if str(raw).strip() != number:
            continue
        if isinstance(item, str):
            entry = tomlkit.inline_table()
            entry.update({"number": str(raw), "verified_on": day})
            phones[index] = entry
        else:
            item["verified_on"] = day
        return
