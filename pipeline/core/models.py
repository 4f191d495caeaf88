"""Small frozen models that flow between the stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]
INTERNATIONAL = "INT"  # the code of the file of international contacts


@dataclass(frozen=True)
class Issue:
    """A problem report, printed compiler-style: `path:line: severity[check]: message`."""

    path: str
    line: int
    severity: Severity
    check: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}[{self.check}]: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "severity": self.severity,
                "check": self.check, "message": self.message}


@dataclass(frozen=True)
class Segment:
    """One translatable message found in a source file."""

    msgid: str
    path: str  # relative to the project root
    line: int  # 1-based
    context: str | None = None
    comments: tuple[str, ...] = ()
    max_length: int | None = None


@dataclass(frozen=True)
class Phone:
    """A validated number of a region, printed exactly as the organisation publishes it."""

    raw: str  # as the organisation writes it: this is what is printed
    tel: str  # what a link dials: E.164 for normal numbers, the printed digits for short numbers (000 keeps zeros)
    short: bool
    text: bool = False  # the number also takes text messages ("call or text")
    landline: bool = False  # a declared geographic number
    unlisted: str = ""  # why phonenumbers' data does not know this short number (shown to the NGO, not printed)
    note: str = ""
    verified_on: dt.date | None = None  # a live check of this very number (contacts with several numbers)
    keyword: str = ""  # for a text line: the word to send
    local_keywords: tuple[tuple[str, str], ...] = ()  # language -> keyword, where speakers of it send another

    @property
    def display(self) -> str:
        return self.raw

    def keyword_for(self, language: str) -> str:
        return dict(self.local_keywords).get(language, self.keyword)

    def sms_link_for(self, language: str) -> str:
        """An sms: link that opens the messages app with the keyword of the reader's language filled in."""
        keyword = self.keyword_for(language)
        return f"sms:{self.tel}" + (f"?body={keyword}" if keyword else "")


@dataclass(frozen=True)
class Contact:
    id: str
    kind: str
    name: str
    description: str
    source: str
    status: str
    url: str | None = None
    report_url: str | None = None  # a page that takes reports (never just a home page)
    phones: tuple[Phone, ...] = ()
    sms: Phone | None = None
    chat: str | None = None
    hours: str | None = None
    languages: tuple[str, ...] = ()
    verified_on: dt.date | None = None
    verified_how: str = ""  # phone | site: how the last live check was made
    verified_by: str = ""  # who made it
    qr: bool = False
    local_names: tuple[tuple[str, str], ...] = ()
    local_urls: tuple[tuple[str, str], ...] = ()
    local_report_urls: tuple[tuple[str, str], ...] = ()
    needs: tuple[str, ...] = ()  # needs it covers besides its kind's
    based_in: str = ""  # ISO code of the country the service is run from, when that is not the file's region
    directory: bool = False  # its report_url lists other hotlines; it does not take reports itself
    notes: str | None = None
    region: str = ""
    line: int = 0

    def name_for(self, language: str) -> str:
        return dict(self.local_names).get(language, self.name)

    def url_for(self, language: str) -> str | None:
        return dict(self.local_urls).get(language, self.url)

    def report_url_for(self, language: str) -> str | None:
        return dict(self.local_report_urls).get(language, self.report_url)

    @property
    def numbers(self) -> tuple[Phone, ...]:
        """Every number a reader may dial or text."""
        return self.phones + ((self.sms,) if self.sms else ())

    def home(self) -> str:
        """The country the service is run from ("" for an international service)."""
        return self.based_in or ("" if self.region == INTERNATIONAL else self.region)

    @property
    def open_all_day(self) -> bool:
        """Its published hours say it answers around the clock."""
        return bool(self.hours) and self.hours.lower().startswith("24 hours")



@dataclass(frozen=True)
class Region:
    code: str
    name: str
    path: str
    paper: str = "a4"
    languages: tuple[str, ...] = ("en",)
    emergency: Phone | None = None
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class Edition:
    """A language for a region, e.g. `fr-CA`; `locale` names its catalog (None for English)."""

    id: str
    language: str
    region: str
    locale: str | None

    @property
    def is_source(self) -> bool:
        return self.locale is None


@dataclass(frozen=True)
class Document:
    """A Markdown source document with its front matter."""

    name: str  # file stem, e.g. "how-to-report"
    path: str  # relative path
    meta: dict = field(default_factory=dict, hash=False, compare=False)
    body: str = ""
    body_line: int = 1  # 1-based line of the body's first line in the file
    front: str = ""  # the front matter block as written, fences included
    meta_lines: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def title(self) -> str:
        return str(self.meta.get("title", self.name))

    @property
    def on_site(self) -> bool:
        return bool(self.meta.get("site", True))

    @property
    def order(self) -> int:
        return int(self.meta.get("order", 50))
