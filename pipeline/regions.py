"""Region and contact data: load, validate, format numbers, record live verification."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers as pn
from phonenumbers import shortnumberinfo

from .documents import read_text
from .errors import InputRefused, PipelineError
from .layout import Project
from .models import Contact, Phone, Region
from .storage import write_atomic

INTERNATIONAL = "INT"
REGION_NAME_CONTEXT = "region name"  # msgctxt of region names in the POT
KINDS = ("report-online", "child-helpline", "adult-support", "image-removal", "police")
STATUSES = ("confirmed", "partly", "unconfirmed")
PAPERS = ("a4", "letter")
REGION_KEYS = {"code", "name", "paper", "languages", "emergency", "contacts"}
CONTACT_KEYS = {"id", "kind", "name", "local_names", "description", "url", "phones", "sms", "chat", "hours",
                "languages", "source", "status", "verified_on", "qr", "notes"}
REQUIRED_CONTACT_KEYS = ("id", "kind", "name", "description", "source", "status")
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2}|_[A-Z][a-z]{3})?$")


def parse_phone(raw: str, region: str) -> Phone:
    """Validate `raw` as a normal or short number of `region`; raise ValueError with the reason."""
    try:
        number = pn.parse(raw, region)
    except pn.NumberParseException as exc:
        raise ValueError(f"'{raw}' is not a phone number ({exc._msg})") from None
    if pn.is_valid_number_for_region(number, region):
        return Phone(raw=raw, display=pn.format_number(number, pn.PhoneNumberFormat.NATIONAL),
                     tel=pn.format_number(number, pn.PhoneNumberFormat.E164), short=False)
    if shortnumberinfo.is_valid_short_number_for_region(number, region):
        # short numbers have no international form: print as written, dial the digits
        return Phone(raw=raw, display=raw.strip(), tel=str(number.national_number), short=True)
    raise ValueError(f"'{raw}' is not a valid phone or short number in {region}")


class _Lines:
    """Finds the line of a key in a TOML file, for error messages and PO locations."""

    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.contact_starts = [i + 1 for i, line in enumerate(self.lines) if line.strip() == "[[contacts]]"]

    def key(self, key: str, start: int = 1, end: int | None = None) -> int:
        stop = end or len(self.lines) + 1
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start, stop):
            if pattern.match(self.lines[number - 1]):
                return number
        return start

    def contact(self, index: int) -> tuple[int, int | None]:
        start = self.contact_starts[index] if index < len(self.contact_starts) else 1
        end = self.contact_starts[index + 1] if index + 1 < len(self.contact_starts) else None
        return start, end


def _https(value: object, what: str, *, allow_http: bool = False) -> str:
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


def _load_contact(data: object, region: str, phone_region: str | None) -> Contact:
    if not isinstance(data, dict):
        raise ValueError("each [[contacts]] entry must be a table")
    unknown = sorted(set(data) - CONTACT_KEYS)
    if unknown:
        raise ValueError(f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(CONTACT_KEYS))})")
    for key in REQUIRED_CONTACT_KEYS:
        if key not in data:
            raise ValueError(f"missing key '{key}'")
    contact_id = _text(data["id"], "id")
    if not _ID.match(contact_id):
        raise ValueError(f"id '{contact_id}' must be lower-case letters, digits and hyphens")
    if data["kind"] not in KINDS:
        raise ValueError(f"kind '{data['kind']}' is not one of {', '.join(KINDS)}")
    if data["status"] not in STATUSES:
        raise ValueError(f"status '{data['status']}' is not one of {', '.join(STATUSES)}")
    verified = data.get("verified_on")
    if verified is not None and (not isinstance(verified, dt.date) or isinstance(verified, dt.datetime)):
        raise ValueError("verified_on must be a TOML date like 2026-11-27")
    if data["status"] == "confirmed" and verified is None:
        raise ValueError("a confirmed contact needs verified_on (the date of the live check)")
    phones_raw = data.get("phones", [])
    if not isinstance(phones_raw, list) or not all(isinstance(p, str) for p in phones_raw):
        raise ValueError("phones must be a list of strings")
    if phones_raw and phone_region is None:
        raise ValueError("phones: international contacts cannot carry phone numbers (they are dialled per country)")
    try:
        phones = tuple(parse_phone(p, phone_region) for p in phones_raw) if phone_region else ()
    except ValueError as exc:
        raise ValueError(f"phones: {exc}") from None
    sms = data.get("sms")
    sms_number = sms_keyword = None
    if sms is not None:
        if not isinstance(sms, dict) or "number" not in sms or set(sms) - {"number", "keyword"}:
            raise ValueError("sms must be { number = \"...\", keyword = \"...\" }")
        if phone_region is None:
            raise ValueError("sms: international contacts cannot carry SMS numbers")
        try:
            sms_number = parse_phone(str(sms["number"]), phone_region).display
        except ValueError as exc:
            raise ValueError(f"sms: {exc}") from None
        sms_keyword = sms.get("keyword")
    local_names = data.get("local_names", {})
    if not isinstance(local_names, dict) or not all(isinstance(v, str) for v in local_names.values()):
        raise ValueError("local_names must be a table of language = \"name\"")
    languages = data.get("languages", [])
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise ValueError("languages must be a list of language codes")
    return Contact(
        id=contact_id, kind=data["kind"], name=_text(data["name"], "name"),
        description=_text(data["description"], "description"),
        source=_https(data["source"], "source", allow_http=True), status=data["status"],
        url=_https(data["url"], "url") if "url" in data else None, phones=phones,
        sms_number=sms_number, sms_keyword=sms_keyword,
        chat=_https(data["chat"], "chat") if "chat" in data else None,
        hours=_text(data["hours"], "hours") if "hours" in data else None,
        languages=tuple(languages), verified_on=verified, qr=bool(data.get("qr", False)),
        local_names=tuple(sorted(local_names.items())), notes=data.get("notes"), region=region,
    )


def _key_of(message: str) -> str:
    """The contact key an error message is about (messages start with it or quote it)."""
    quoted = re.match(r"(?:unknown|missing) key '(\w+)'", message)
    if quoted:
        return quoted.group(1)
    first = re.split(r"[\s:]", message, maxsplit=1)[0]
    return first if first in CONTACT_KEYS else "id"


def load_region(project: Project, path: Path) -> Region:
    """Load and validate one region file; any problem refuses the whole file."""
    rel = project.rel(path)
    text = read_text(path, rel)
    lines = _Lines(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise InputRefused(f"not valid TOML: {exc}", path=rel, line=int(match.group(1)) if match else None) from None

    def fail(key: str, reason: str, start: int = 1, end: int | None = None) -> PipelineError:
        return InputRefused(f"{key}: {reason}", path=rel, line=lines.key(key.split(".")[-1].split("]")[-1], start, end))

    unknown = sorted(set(data) - REGION_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(REGION_KEYS))})")
    code = data.get("code")
    if not isinstance(code, str) or code.lower() != path.stem.lower() and code != INTERNATIONAL:
        raise fail("code", f"must be the region's ISO code matching the file name '{path.stem}'")
    if code != INTERNATIONAL and (not code.isupper() or pn.country_code_for_region(code) == 0):
        raise fail("code", f"'{code}' is not a known ISO 3166-1 region code")
    try:
        name = _text(data.get("name"), "name")
    except ValueError as exc:
        raise fail("name", str(exc)) from None
    phone_region = None if code == INTERNATIONAL else code
    paper, languages, emergency = "a4", ("en",), None
    if phone_region:
        paper = data.get("paper")
        if paper not in PAPERS:
            raise fail("paper", f"must be one of {', '.join(PAPERS)}")
        languages = data.get("languages")
        if (not isinstance(languages, list) or not languages or languages[0] != "en"
                or not all(isinstance(x, str) and _LANGUAGE.match(x) for x in languages)):
            raise fail("languages", "must be a list of language codes starting with \"en\", e.g. [\"en\", \"fr\"]")
        languages = tuple(languages)
        try:
            emergency = parse_phone(str(data.get("emergency", "")), code)
        except ValueError as exc:
            raise fail("emergency", str(exc)) from None
    contacts = []
    seen: set[str] = set()
    raw_contacts = data.get("contacts", [])
    if not isinstance(raw_contacts, list):
        raise fail("contacts", "must be [[contacts]] tables")
    for index, item in enumerate(raw_contacts):
        start, end = lines.contact(index)
        try:
            contact = _load_contact(item, code, phone_region)
        except ValueError as exc:
            raise InputRefused(f"contacts[{index + 1}] ({item.get('id', '?') if isinstance(item, dict) else '?'}): "
                               f"{exc}", path=rel, line=lines.key(_key_of(str(exc)), start, end)) from None
        if contact.id in seen:
            raise InputRefused(f"contacts: duplicate id '{contact.id}'", path=rel, line=lines.key("id", start, end))
        seen.add(contact.id)
        contacts.append(_with_line(contact, start))
    qr = [c for c in contacts if c.qr]
    if len(qr) > 1:
        raise InputRefused(f"contacts: only one contact may carry qr = true ({', '.join(c.id for c in qr)})",
                           path=rel, line=qr[1].line)
    if any(c.qr and not c.url for c in qr):
        raise InputRefused("contacts: the qr contact needs a url", path=rel, line=qr[0].line)
    return Region(code=code, name=name, path=rel, paper=paper, languages=languages, emergency=emergency,
                  contacts=tuple(contacts))


def _with_line(contact: Contact, line: int) -> Contact:
    return replace(contact, line=line)


def load_regions(project: Project) -> dict[str, Region]:
    """All regions by code (the international contacts under 'INT')."""
    regions = {}
    for path in project.region_files():
        region = load_region(project, path)
        regions[region.code] = region
    return regions


# --- verification -----------------------------------------------------------------------------

STALE_AFTER_MONTHS = 12


def one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - STALE_AFTER_MONTHS // 12)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def verification_problem(contact: Contact, today: dt.date) -> str | None:
    """Why a printed contact makes an edition a draft, or None when it was checked live recently."""
    if contact.status != "confirmed":
        return f"{contact.region}/{contact.id} is '{contact.status}', not confirmed by a live check"
    if contact.verified_on is None or contact.verified_on < one_year_before(today):
        return f"{contact.region}/{contact.id} was last verified on {contact.verified_on}, more than 12 months ago"
    return None


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


def record_verification(project: Project, region_code: str, contact_id: str, day: dt.date) -> Path:
    """Mark one contact as confirmed by a live check on `day`, keeping the file's layout and comments."""
    import tomlkit

    regions = load_regions(project)  # validates every file first
    region = regions.get(region_code.upper())
    if region is None:
        raise InputRefused(f"unknown region '{region_code}' (known: {', '.join(sorted(regions))})")
    if contact_id not in {c.id for c in region.contacts}:
        known = ", ".join(c.id for c in region.contacts)
        raise InputRefused(f"region {region.code} has no contact '{contact_id}' (known: {known})", path=region.path)
    path = project.root / region.path
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    for table in document["contacts"]:
        if table["id"] == contact_id:
            table["status"] = "confirmed"
            table["verified_on"] = day
    write_atomic(path, tomlkit.dumps(document).encode("utf-8"))
    load_region(project, path)  # the written file must still load
    return path
