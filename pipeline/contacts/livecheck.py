"""`awareness contacts check`: a polite live check of every printable contact, so a person only confirms.

For each contact it fetches its pages (`source`, `url`, `report_url` and their per-language variants) and
records what was seen: the HTTP status, where redirects led, whether each printed number is on the page, whether
a report page still looks like one, and a fingerprint of the page's visible text. It never edits region data: it
writes `output/contacts-check/report.json` (the memory of the next check) and `report.html`, and a person runs
`awareness contacts verify REGION ID` after looking.

The core (reading a page, finding numbers, judging a contact) is pure; the network is in `Fetcher`, which keeps
to the politeness rules: a user agent that names the tool and the publisher, robots.txt, one request per second
per host, a timeout and a byte cap per page, a few hosts at a time.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import hashlib
import json
import re
import ssl
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from .. import __version__
from ..core.errors import InputRefused, UsageError
from ..core.layout import Project
from ..core.models import Contact, Phone, Region
from ..core.release import printable
from ..core.storage import write_atomic

TOOL = "awareness-pipeline"  # the product token robots.txt rules are matched against
REPORT_FOLDER = "contacts-check"  # under output/
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309: at least 500 KiB of a robots.txt must be read
MAX_CRAWL_DELAY = 30.0  # a robots.txt Crawl-delay above this is capped (a check must end)
DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True)
class Politeness:
    """How the check treats the sites it visits (tests make the delay and timeout short)."""

    delay: float = 1.0  # seconds between two requests to one host
    timeout: float = DEFAULT_TIMEOUT  # seconds for one page, from connecting to the last byte
    max_bytes: int = 4 * 1024 * 1024  # bytes read of one page; the rest is not fetched
    workers: int = 4  # hosts visited at the same time (one request at a time per host)
    max_redirects: int = 5


POLITENESS = Politeness()  # what `contacts check` uses (with its --timeout)


def report_folder(project: Project) -> Path:
    return project.output / REPORT_FOLDER


def report_json(project: Project) -> Path:
    return report_folder(project) / "report.json"


def report_html(project: Project) -> Path:
    return report_folder(project) / "report.html"


def user_agent(publisher: str, publisher_url: str) -> str:
    """Names the tool and who runs it, so a site owner can see who is checking and why."""
    who = f"{publisher}; +{publisher_url}" if publisher_url else publisher
    # a header is ASCII: "Réseau Enfance" becomes "Reseau Enfance"
    who = unicodedata.normalize("NFKD", who).encode("ascii", "ignore").decode("ascii")
    return f"{TOOL}/{__version__} (contact check of a printed hotline list; {who})"


# --- which pages ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageRef:
    url: str
    roles: tuple[str, ...]  # "url", "report_url", "source", "url (fr)", "report_url (fr)"

    @property
    def is_report_page(self) -> bool:
        return any(role.startswith("report_url") for role in self.roles)


def contact_pages(contact: Contact) -> list[PageRef]:
    """The pages of a contact, each once, with every role it plays."""
    found: dict[str, list[str]] = {}
    candidates = [("url", contact.url), ("report_url", contact.report_url)]
    candidates += [(f"url ({lang})", url) for lang, url in contact.local_urls]
    candidates += [(f"report_url ({lang})", url) for lang, url in contact.local_report_urls]
    candidates.append(("source", contact.source))
    for role, url in candidates:
        if url:
            found.setdefault(url, []).append(role)
    return [PageRef(url, tuple(roles)) for url, roles in found.items()]


def contact_numbers(contact: Contact) -> list[Phone]:
    """Every number printed for the contact: its phones and its text line."""
    unique: dict[str, Phone] = {}
    for phone in (*contact.phones, *([contact.sms] if contact.sms else [])):
        unique.setdefault(phone.raw, phone)
    return list(unique.values())


def printable_contacts(regions: dict[str, Region], codes: Iterable[str] = ()) -> list[Contact]:
    """The printable contacts of the regions named (all when none is), in file order."""
    wanted = list(dict.fromkeys(c.upper() for c in codes))
    unknown = [c for c in wanted if c not in regions]
    if unknown:
        raise UsageError(f"unknown region '{unknown[0]}' (known: {', '.join(sorted(regions))})")
    chosen = wanted or sorted(regions)
    return [c for code in chosen for c in regions[code].contacts if printable(c)]


# --- reading a page (pure) -----------------------------------------------------------------------

BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "button", "caption", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "label", "li", "main", "nav", "ol", "option", "p", "pre", "section", "select", "summary", "table", "tbody", "td",
    "textarea", "tfoot", "th", "thead", "tr", "ul"})
NOT_TEXT = frozenset({"script", "style", "template", "head", "title", "meta", "link"})
# words that name reporting in the languages of our editions (a sign, not proof: a person confirms)
REPORT_WORDS = ("report", "signal", "denunc", "denúnc", "meld", "anzeige", "zgło", "zglos", "повідом", "сообщ",
                "通報", "通报", "報告", "بلاغ", "إبلاغ", "ابلاغ", "شكوى", "रिपोर्ट", "शिकायत", "ripoti", "tipline",
                "cybertip")
SEARCH_NAMES = frozenset({"q", "s", "query", "search", "keyword", "keywords", "k"})
FIELD_SKIP = frozenset({"hidden", "submit", "button", "image", "reset", "search", "checkbox", "radio"})
_SEPARATORS = " \u00a0\u2007\u2009\u200a\u202f\u200b().\\-\u2010-\u2014/"
_NUMBER_RUN = re.compile(rf"\d(?:[{_SEPARATORS}]*\d)*")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class PageText:
    """What a page says, as far as the check is concerned."""

    readable: bool  # HTML or plain text that was read
    text: str = ""  # visible text, block elements on their own lines
    dial_links: tuple[str, ...] = ()  # targets of tel:, sms: and callto: links
    form: bool = False  # a form that takes more than a search
    words: tuple[str, ...] = ()  # link, button and heading texts that name reporting

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(" ".join(self.text.split()).encode("utf-8")).hexdigest()[:16]


def _charset(body: bytes, declared: str | None) -> str:
    """The page's encoding: the HTTP header's, else the page's <meta>, else UTF-8 if it decodes, else cp1252."""
    for candidate in (declared, *(m.decode("ascii", "ignore") for m in _META_CHARSET.findall(body[:4096]))):
        if candidate:
            try:
                return codecs.lookup(candidate).name
            except LookupError:
                continue
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _squash(text: str) -> str:
    return " ".join(text.split())


def read_page(body: bytes, content_type: str = "text/html", charset: str | None = None) -> PageText:
    """The visible text, dial links, forms and report words of a page (HTML through lxml's parser)."""
    kind = content_type.split(";")[0].strip().lower()
    head = body.lstrip()[:64].lower()
    if kind in ("text/html", "application/xhtml+xml") or (not kind and head.startswith((b"<!doctype html", b"<html"))):
        return _read_html(body, _charset(body, charset))
    if kind == "text/plain":
        return PageText(readable=True, text=body.decode(_charset(body, charset), "replace"))
    return PageText(readable=False)


def _read_html(body: bytes, charset: str) -> PageText:
    from lxml import etree
    from lxml import html as lxml_html

    if not body.strip():
        return PageText(readable=True)
    try:
        root = lxml_html.document_fromstring(body, parser=lxml_html.HTMLParser(encoding=charset))
    except (etree.LxmlError, ValueError):
        return PageText(readable=True)
    top = root.find("body")
    top = root if top is None else top
    out: list[str] = []
    stack: list[tuple[object, bool]] = [(top, False)]
    while stack:  # an explicit stack: deeply nested pages would overflow recursion
        element, closing = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if closing:
            if tag in BLOCKS:
                out.append("\n")
            if element is not top and element.tail:
                out.append(element.tail)
            continue
        if not tag or tag in NOT_TEXT or element.get("hidden") is not None:
            if element is not top and element.tail:
                out.append(element.tail)
            continue
        if tag in BLOCKS:
            out.append("\n")
        if element.text:
            out.append(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    text = re.sub(r"[ \t\r\f\v]*\n\s*", "\n", "".join(out)).strip()
    links = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        scheme, _, target = href.partition(":")
        if scheme.lower() in ("tel", "sms", "callto") and target:
            links.append(unquote(target.split("?")[0].split(";")[0]))
    return PageText(readable=True, text=text, dial_links=tuple(links), form=_has_report_form(root),
                    words=_report_words(root))


def _fields(element) -> list:
    found = []
    for field_ in element.iter("input", "textarea", "select"):
        kind = (field_.get("type") or "text").lower()
        if field_.tag == "input" and (kind in FIELD_SKIP or (field_.get("name") or "").lower() in SEARCH_NAMES):
            continue
        found.append(field_)
    return found


def _has_report_form(root) -> bool:
    """A form that takes more than a search: a text area, a file, a choice, or two fields or more."""
    for form in root.iter("form"):
        if (form.get("role") or "").lower() == "search" or "search" in (form.get("action") or "").lower():
            continue
        fields = _fields(form)
        if any(f.tag in ("textarea", "select") or (f.get("type") or "").lower() == "file" for f in fields):
            return True
        if len(fields) >= 2:
            return True
    # fields outside any form (a script-driven report flow)
    loose = [f for f in _fields(root) if not any(a.tag == "form" for a in f.iterancestors())]
    return len(loose) >= 2


def _report_words(root) -> tuple[str, ...]:
    found: list[str] = []
    for element in root.iter("a", "button", "h1", "h2", "h3", "summary", "label", "input"):
        if element.tag == "input":
            if (element.get("type") or "").lower() not in ("submit", "button"):
                continue
            text = element.get("value") or ""
        else:
            text = element.text_content()
        text = _squash(text)
        if text and len(text) <= 100 and any(w in text.casefold() for w in REPORT_WORDS) and text not in found:
            found.append(text)
        if len(found) >= 12:
            break
    return tuple(found)


# --- numbers --------------------------------------------------------------------------------------

def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in text if ch.isdecimal())


def digit_runs(text: str) -> list[tuple[str, ...]]:
    """Runs of digits with separators between them (spaces, hyphens, dots, brackets, slashes), as their groups
    of ASCII digits: `+44 (0)800 1111` -> ('44', '0', '800', '1111')."""
    return [tuple(_ascii_digits(group) for group in re.findall(r"\d+", run)) for run in _NUMBER_RUN.findall(text)]


def number_forms(phone: Phone) -> set[str]:
    """The digit strings a page may write a number as: as printed, international, national."""
    import phonenumbers as pn

    forms = {_ascii_digits(phone.raw)}
    if phone.tel.startswith("+"):
        e164 = phone.tel[1:]
        forms |= {e164, "00" + e164}
        try:
            parsed = pn.parse(phone.tel)
            forms.add(_ascii_digits(pn.format_number(parsed, pn.PhoneNumberFormat.NATIONAL)))
            national = str(parsed.national_number)
            if len(national) >= 6:  # shorter, it could be part of anything
                forms.add(national)
        except pn.NumberParseException:
            pass
    else:
        forms.add(phone.tel)
    return {f for f in forms if f}


def shows_number(page: PageText, phone: Phone) -> bool:
    """Is the number on the page: in its text (split by markup or not) or in a tel: link? Digits are compared
    after removing separators, and a number must be whole (988 is not found in 1988)."""
    forms = number_forms(phone)
    longest = max(map(len, forms))
    for groups in digit_runs(page.text) + [g for link in page.dial_links for g in digit_runs(link)]:
        for start in range(len(groups)):
            joined = ""
            for group in groups[start:]:
                joined += group
                if joined in forms:
                    return True
                if len(joined) >= longest:
                    break
    return False


# --- fetching (the network) -----------------------------------------------------------------------

@dataclass
class Fetched:
    """What one address gave."""

    url: str
    status: int | None = None
    final_url: str | None = None
    content_type: str = ""
    error: str = ""  # why there is no page: network, TLS, timeout, robots.txt
    robots_disallowed: bool = False
    truncated: bool = False
    size: int = 0
    seconds: float = 0.0
    page: PageText = field(default_factory=lambda: PageText(readable=False))


class Pacer:
    """One request at a time to each host, and `delay` seconds from the end of one to the start of the next, across
    all threads (so the site sees at most one request per `delay`, whatever the network's latency)."""

    def __init__(self, delay: float):
        self.delay = delay
        self.condition = threading.Condition()
        self.free_at: dict[str, float] = {}
        self.busy: set[str] = set()
        self.host_delay: dict[str, float] = {}  # a robots.txt Crawl-delay longer than ours

    @contextlib.contextmanager
    def turn(self, host: str) -> Iterator[None]:
        with self.condition:
            while True:
                if host in self.busy:
                    self.condition.wait()
                    continue
                wait = self.free_at.get(host, 0.0) - time.monotonic()
                if wait <= 0:
                    break
                self.condition.wait(wait)
            self.busy.add(host)
        try:
            yield
        finally:
            with self.condition:
                self.busy.discard(host)
                self.free_at[host] = time.monotonic() + max(self.delay, self.host_delay.get(host, 0.0))
                self.condition.notify_all()


class _TooSlow(Exception):
    pass


def _network_errors() -> tuple[type[BaseException], ...]:
    """What a page's fetch may raise that is the page's (or the network's) fault: a finding, never a crash."""
    import httpx

    return (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, _TooSlow, OSError, UnicodeError)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _describe(exc: Exception, timeout: float) -> str:
    import httpx

    text = str(exc) or exc.__class__.__name__
    if isinstance(exc, (httpx.TimeoutException, _TooSlow)):
        return f"no complete answer within {timeout:g} s"
    if isinstance(exc, httpx.InvalidURL):  # e.g. a redirect's Location that is not a web address
        return f"an address on the way is not a valid web address ({text})"
    if "CERTIFICATE_VERIFY_FAILED" in text or isinstance(exc, ssl.SSLCertVerificationError):
        return ("its certificate is not trusted (behind a proxy that inspects HTTPS, set SSL_CERT_FILE to the "
                "proxy's certificate)")
    if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "the host name does not resolve (the site may be gone)"
    if "Connection refused" in text:
        return "the connection was refused"
    return f"could not be fetched ({text.splitlines()[0][:160]})"


class Fetcher:
    """Fetches pages politely through httpx, which uses the system's certificates (and SSL_CERT_FILE)."""

    def __init__(self, agent: str, politeness: Politeness):
        import httpx

        self.politeness = politeness
        self.pacer = Pacer(politeness.delay)
        self.agent = agent
        # ssl's default context loads the system's trust store through OpenSSL, which honours SSL_CERT_FILE
        # and SSL_CERT_DIR (httpx's own default would be certifi's bundle); trust_env keeps HTTPS_PROXY working
        self.client = httpx.Client(
            verify=ssl.create_default_context(), trust_env=True, follow_redirects=False,
            timeout=httpx.Timeout(politeness.timeout),
            headers={"User-Agent": agent, "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"},
            limits=httpx.Limits(max_connections=politeness.workers * 2))
        self._robots: dict[str, tuple[RobotFileParser | None, str]] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    # robots.txt
    def _robots_for(self, url: str) -> tuple[RobotFileParser | None, str]:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._robots:
                self._robots[origin] = self._read_robots(origin)
            return self._robots[origin]

    def _read_robots(self, origin: str) -> tuple[RobotFileParser | None, str]:
        """RFC 9309: a robots.txt that is missing (4xx) allows everything; one that cannot be read (5xx, no
        answer) forbids everything."""

        try:
            with self.pacer.turn(_host(origin)), \
                    self.client.stream("GET", origin + "/robots.txt", follow_redirects=True) as response:
                if 400 <= response.status_code < 500:
                    return None, ""
                if not 200 <= response.status_code < 300:
                    return None, f"its robots.txt could not be read (HTTP {response.status_code})"
                body = self._read_body(response, time.monotonic() + self.politeness.timeout, ROBOTS_MAX_BYTES)[0]
        except _network_errors() as exc:
            return None, f"its robots.txt could not be read: {_describe(exc, self.politeness.timeout)}"
        parser = RobotFileParser()
        parser.parse(body.decode("utf-8", "replace").splitlines())
        parser.modified()  # can_fetch() answers only for a parser that says when it was read
        delay = parser.crawl_delay(TOOL)
        if delay:
            with self.pacer.condition:
                self.pacer.host_delay[_host(origin)] = min(float(delay), MAX_CRAWL_DELAY)
        return parser, ""

    def robots_refusal(self, url: str) -> str:
        """Why robots.txt keeps us from `url`, or "" when it may be fetched."""
        parser, unreadable = self._robots_for(url)
        if unreadable:
            return f"not fetched: {unreadable}"
        if parser is not None and not parser.can_fetch(TOOL, url):
            return f"not fetched: the robots.txt of {_host(url)} asks tools like this one to keep away from it"
        return ""

    # pages
    def _read_body(self, response, deadline: float, cap: int) -> tuple[bytes, bool]:
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= cap:
                return b"".join(chunks)[:cap], True
            if time.monotonic() > deadline:
                raise _TooSlow()
        return b"".join(chunks), False

    def fetch(self, url: str) -> Fetched:
        """One address, following redirects one polite request at a time (each hop asks its host's robots.txt)."""

        result = Fetched(url)
        current = url
        began = time.monotonic()
        for _ in range(self.politeness.max_redirects + 1):
            refusal = self.robots_refusal(current)
            if refusal:
                result.error, result.robots_disallowed, result.final_url = refusal, True, current
                return result
            try:
                with self.pacer.turn(_host(current)):
                    target = self._request(current, result)
            except _network_errors() as exc:
                result.status, result.final_url = None, current
                result.error = _describe(exc, self.politeness.timeout)
                target = None
            if target is None:
                result.seconds = time.monotonic() - began
                return result
            current = target
        result.error, result.final_url = f"more than {self.politeness.max_redirects} redirects", current
        return result

    def _request(self, url: str, result: Fetched) -> str | None:
        """GET `url` into `result`; returns where a redirect points, or None when `result` holds the answer."""
        deadline = time.monotonic() + self.politeness.timeout
        with self.client.stream("GET", url) as response:
            result.status, result.final_url = response.status_code, url
            location = response.headers.get("location")
            if response.is_redirect and location:
                target = urljoin(url, location.strip())
                if urlsplit(target).scheme in ("http", "https"):
                    return target
                result.error, result.final_url = f"redirects to {target}, which is not a web address", target
                return None
            result.content_type = response.headers.get("content-type", "")
            body, result.truncated = self._read_body(response, deadline, self.politeness.max_bytes)
            result.size = len(body)
            if 200 <= response.status_code < 300:
                result.page = read_page(body, result.content_type, response.charset_encoding)
        return None


def fetch_all(urls: Iterable[str], fetcher: Fetcher, progress: Callable[[Fetched], None] | None = None
              ) -> dict[str, Fetched]:
    """Every address once; each host's pages one after another, a few hosts at a time."""
    by_host: dict[str, list[str]] = {}
    for url in dict.fromkeys(urls):
        by_host.setdefault(_host(url), []).append(url)
    results: dict[str, Fetched] = {}
    lock = threading.Lock()
    stop = threading.Event()  # Ctrl-C: no host starts another page

    def visit(host_urls: list[str]) -> None:
        for url in host_urls:
            if stop.is_set():
                return
            fetched = fetcher.fetch(url)
            with lock:
                results[url] = fetched
                if progress:
                    progress(fetched)

    # the hosts with most pages first, so the longest queue does not start last
    queues = sorted(by_host.values(), key=len, reverse=True)
    pool = ThreadPoolExecutor(max_workers=max(1, fetcher.politeness.workers))
    try:
        for future in [pool.submit(visit, q) for q in queues]:
            future.result()
    except BaseException:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


# --- judging a contact (pure) ---------------------------------------------------------------------

def _site(host: str) -> str:
    return host.removeprefix("www.")


def same_site(first: str, second: str, twins: dict | None = None) -> bool:
    """Two hosts of one organisation: equal, one a subdomain of the other (report.iwf.org.uk and
    www.iwf.org.uk), or localized twins from settings (cybertip.ca and cyberaide.ca)."""
    a, b = _site(first.lower()), _site(second.lower())

    def related(x: str, y: str) -> bool:
        return x == y or x.endswith("." + y) or y.endswith("." + x)

    if related(a, b):
        return True
    for host, others in (twins or {}).items():
        group = [_site(h.lower()) for h in [host, *others]]
        if any(related(a, g) for g in group) and any(related(b, g) for g in group):
            return True
    return False


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


@dataclass(frozen=True)
class Memory:
    """What the last check that could read each address saw there (from the previous report)."""

    pages: dict[str, dict] = field(default_factory=dict)  # url -> {fingerprint, numbers_seen, report_page, checked_at}

    @classmethod
    def of(cls, rows: list[dict]) -> Memory:
        pages: dict[str, dict] = {}
        for row in sorted(rows, key=lambda r: str(r.get("checked_at", ""))):
            for page in row.get("pages", []):
                if page.get("fingerprint"):
                    pages[page["url"]] = _remembered(page, str(row.get("checked_at", "")))
                elif isinstance(page.get("last_read"), dict) and page["last_read"].get("fingerprint"):
                    pages[page["url"]] = page["last_read"]  # unreadable then: what was seen before that
        return cls(pages)


def _remembered(page: dict, checked_at: str) -> dict:
    return {"fingerprint": page.get("fingerprint"), "numbers_seen": page.get("numbers_seen", []),
            "report_page": page.get("report_page"), "checked_at": checked_at}


def judge_contact(contact: Contact, fetched: dict[str, Fetched], memory: Memory, checked_at: str,
                  politeness: Politeness, twins: dict | None = None) -> dict:
    """One report row: what each page showed, the problems (findings) and the notes."""
    numbers = contact_numbers(contact)
    problems: list[str] = []
    notes: list[str] = []
    pages = []
    seen_on: dict[str, list[str]] = {p.raw: [] for p in numbers}
    read_urls: list[str] = []
    truncated_urls: list[str] = []
    directory = bool(getattr(contact, "directory", False))  # a list of hotlines takes no reports itself
    for ref in contact_pages(contact):
        got = fetched[ref.url]
        before = memory.pages.get(ref.url)
        page = got.page
        final = got.final_url or ref.url
        moved = bool(got.final_url) and not same_site(_host(ref.url), _host(final), twins)
        entry: dict = {
            "url": ref.url, "roles": list(ref.roles), "status": got.status, "final_url": got.final_url,
            "content_type": got.content_type.split(";")[0].strip(), "error": got.error,
            "other_site": moved, "truncated": got.truncated, "read": page.readable,
            "numbers_seen": [], "numbers_missing": [], "changed": None, "fingerprint": None, "report_page": None,
        }
        label = ref.url
        if got.error:
            problems.append(f"{label}: {got.error}")
        elif got.status is not None and got.status >= 400:
            what = ("the page is gone" if got.status in (404, 410) else
                    "the server failed" if got.status >= 500 else "the site refused it")
            problems.append(f"{label}: {what} (HTTP {got.status})")
        if moved:
            what = "the report page moved to another site" if ref.is_report_page else "it leads to another site"
            problems.append(f"{label}: {what}: {final}")
        elif got.final_url and got.final_url != ref.url and not got.error:
            notes.append(f"{label} redirects to {got.final_url}")
        fine = not got.error and got.status is not None and 200 <= got.status < 300
        if fine and not page.readable:
            kind = entry["content_type"] or "unknown type"
            if numbers or (ref.is_report_page and not directory):
                problems.append(f"{label} is not a web page ({kind}): not read; open it and look yourself")
            else:
                notes.append(f"{label} is not a web page ({kind}): not read")
        if fine and page.readable:
            read_urls.append(ref.url)
            if got.truncated:
                truncated_urls.append(ref.url)
                notes.append(f"{label}: only the first {_size(politeness.max_bytes)} were read")
            entry["fingerprint"] = page.fingerprint
            for phone in numbers:
                if shows_number(page, phone):
                    entry["numbers_seen"].append(phone.raw)
                    seen_on[phone.raw].append(ref.url)
            if before:
                entry["changed"] = before.get("fingerprint") != page.fingerprint
                if entry["changed"]:
                    notes.append(f"{label}: its text changed since the check of {before['checked_at'][:10]}")
            if ref.is_report_page and not directory:
                entry["report_page"] = {"form": page.form, "words": list(page.words)}
                previous_words = (before or {}).get("report_page") or {}
                previous_words = previous_words.get("words") or []
                if not page.form and previous_words and not set(previous_words) & set(page.words):
                    problems.append(f"{label} no longer shows {', '.join(repr(w) for w in previous_words[:3])} "
                                    f"(seen on {before['checked_at'][:10]}) and has no form")
                elif not page.form and not page.words:
                    problems.append(f"{label} does not look like a page that takes reports (no form, no link or "
                                    f"button that says report)")
        entry["numbers_missing"] = [p.raw for p in numbers if p.raw not in entry["numbers_seen"]]
        if entry["fingerprint"] is None and before:  # keep the last reading for the next check to compare with
            entry["last_read"] = before
        pages.append(entry)
    for phone in numbers:
        earlier = [(url, memory.pages[url]["checked_at"][:10]) for url in read_urls
                   if url in memory.pages and phone.raw in memory.pages[url].get("numbers_seen", [])
                   and url not in seen_on[phone.raw]]
        if not read_urls:
            problems.append(f"{phone.raw}: not looked for, none of its pages could be read")
        elif not seen_on[phone.raw]:
            where = f"; on {earlier[0][1]} it was on {earlier[0][0]}" if earlier else ""
            cut = f" (of {', '.join(truncated_urls)} only the first {_size(politeness.max_bytes)} were read)" \
                if truncated_urls else ""
            problems.append(f"{phone.raw} is not on any of its pages{cut}{where}")
        else:
            for url, day in earlier:
                problems.append(f"{phone.raw} is no longer on {url} (it was on {day}); still on "
                                f"{', '.join(seen_on[phone.raw])}")
    return {
        "region": contact.region, "id": contact.id, "name": contact.name, "kind": contact.kind,
        "status": contact.status, "verified_on": contact.verified_on.isoformat() if contact.verified_on else None,
        "checked_at": checked_at, "numbers": [p.raw for p in numbers], "pages": pages, "problems": problems,
        "notes": notes, "verify": f"awareness contacts verify {contact.region} {contact.id}",
    }


# --- the report -----------------------------------------------------------------------------------

def load_report(project: Project) -> list[dict]:
    """The rows of the last check ([] when there was none); a damaged file is refused, naming it."""
    path = report_json(project)
    if not path.is_file():
        return []
    rel = project.rel(path)
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputRefused(f"not readable as a contacts check report ({exc}); delete it to start afresh",
                           path=rel) from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and {"region", "id", "pages"} <= set(r)
                                             for r in rows):
        raise InputRefused("not a contacts check report (a list of rows with region, id and pages); delete it to "
                           "start afresh", path=rel)
    return rows


def last_checks(project: Project) -> dict[tuple[str, str], dict]:
    """The last check's row of each contact, by (region, id)."""
    return {(r["region"], r["id"]): r for r in load_report(project)}


def evidence_line(row: dict | None) -> str:
    """One line for listings: when the contact was last checked and what was seen."""
    if row is None:
        return "no live check yet (awareness contacts check)"
    day = str(row.get("checked_at", ""))[:10]
    problems = row.get("problems") or []
    read = sum(1 for p in row.get("pages", []) if p.get("read") and not p.get("error"))
    if not problems:
        numbers = ", ".join(row.get("numbers") or [])
        return f"checked {day}: all seen ({read} page{'s' if read != 1 else ''}{', ' + numbers if numbers else ''})"
    return f"checked {day}: {len(problems)} finding{'s' if len(problems) != 1 else ''}: {problems[0]}"


def evidence(project: Project) -> list[dict]:
    """Every printed contact with its verification and the last check's evidence (for the status dashboard)."""
    from ..core.clock import build_date
    from ..core.release import verification_problem
    from .regions import load_regions

    regions = load_regions(project)
    checks = last_checks(project)
    today = build_date().date()
    out = []
    for code in sorted(regions):
        for contact in regions[code].contacts:
            if not printable(contact):
                continue
            row = checks.get((code, contact.id)) or {}
            read = sum(1 for p in row.get("pages", []) if p.get("read") and not p.get("error"))
            out.append({
                "region": code, "id": contact.id, "name": contact.name, "status": contact.status,
                "verified_on": contact.verified_on.isoformat() if contact.verified_on else None,
                "due": verification_problem(contact, today) is not None, "checked_at": row.get("checked_at"),
                "problems": row.get("problems", []), "verify": f"awareness contacts verify {code} {contact.id}",
                "seen": ", ".join([f"{read} page{'s' if read != 1 else ''}", *row.get("numbers", [])])})
    return out


REPORT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer"><title>Contacts check {{ day }}</title>
<style>
body { font-family: system-ui, "Noto Sans", sans-serif; margin: 1.5rem; color: #1a1a1a; max-width: 75rem; }
h1, h2 { color: #123c69; } table { border-collapse: collapse; width: 100%; margin-block: 0.4rem 1rem; }
th, td { border: 1px solid #c8d3df; padding: 0.25rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f2f5f8; } .ok { color: #1b7a3d; font-weight: 700; } .bad { color: #a3121f; font-weight: 700; }
.url { overflow-wrap: anywhere; } code { background: #f2f5f8; padding: 0 0.2rem; } section { margin-block-end: 1.6rem; }
ul { margin: 0.2rem 0; padding-left: 1.2rem; } .note { color: #4a5560; }
</style></head><body>
<h1>Contacts check</h1>
<p>{{ rows|length }} contacts; <span class="ok">{{ seen }} all seen</span>, <span class="bad">{{ rows|length - seen }} with findings</span>.
Checked {{ first }}{% if first != last %} to {{ last }}{% endif %} as <code>{{ agent }}</code>.</p>
<p>Nothing here changed the region data. For each contact, open its pages, look at what the check reports, and if the
facts are right, record it with the command shown; then rebuild. A finding is something a person must look at: a page
gone, a number not on the page, a report page that moved or no longer looks like one.</p>
{% for region, contacts in regions %}<h2>{{ region }}</h2>
{% for row in contacts %}<section id="{{ row.region }}-{{ row.id }}">
<h3>{{ row.region }}/{{ row.id }}: {{ row.name }} {% if row.problems %}<span class="bad">{{ row.problems|length }} finding{{ 's' if row.problems|length != 1 }}</span>{% else %}<span class="ok">all seen</span>{% endif %}</h3>
<p>{{ row.kind }}; status {{ row.status }}{% if row.verified_on %}, verified {{ row.verified_on }}{% endif %}; checked {{ row.checked_at }}{% if row.numbers %}; numbers {{ row.numbers|join(', ') }}{% endif %}</p>
{% if row.problems %}<ul>{% for p in row.problems %}<li class="bad">{{ p }}</li>{% endfor %}</ul>{% endif %}
{% if row.notes %}<ul>{% for n in row.notes %}<li class="note">{{ n }}</li>{% endfor %}</ul>{% endif %}
<table><tr><th>page</th><th>role</th><th>HTTP</th><th>final address</th><th>numbers seen</th><th>numbers not seen</th><th>report page</th><th>changed</th></tr>
{% for p in row.pages %}<tr><td class="url">{{ p.url }}</td><td>{{ p.roles|join(', ') }}</td><td>{{ p.status if p.status is not none else '—' }}{% if p.error %}<br>{{ p.error }}{% endif %}</td>
<td class="url">{% if p.final_url and p.final_url != p.url %}{{ p.final_url }}{% if p.other_site %} <span class="bad">(another site)</span>{% endif %}{% else %}same{% endif %}</td>
<td>{{ p.numbers_seen|join(', ') or '—' }}</td><td>{{ p.numbers_missing|join(', ') or '—' }}</td>
<td>{% if p.report_page %}{{ 'form' if p.report_page.form else 'no form' }}{% if p.report_page.words %}; “{{ p.report_page.words[:3]|join('”, “') }}”{% endif %}{% else %}—{% endif %}</td>
<td>{{ '—' if p.changed is none else ('yes' if p.changed else 'no') }}</td></tr>
{% endfor %}</table>
<p>Once you have looked: <code>{{ row.verify }}</code></p>
</section>
{% endfor %}{% endfor %}
</body></html>
"""


def render_report(rows: list[dict], agent: str) -> str:
    """The readable report: one self-contained page (inline CSS, nothing fetched)."""
    from jinja2 import Environment

    regions: dict[str, list[dict]] = {}
    for row in rows:
        regions.setdefault(row["region"], []).append(row)
    stamps = sorted(str(r.get("checked_at", "")) for r in rows) or [""]
    return Environment(autoescape=True).from_string(REPORT_PAGE).render(
        rows=rows, regions=sorted(regions.items()), seen=sum(1 for r in rows if not r.get("problems")),
        agent=agent, first=stamps[0], last=stamps[-1], day=stamps[-1][:10])


@dataclass
class CheckResult:
    rows: list[dict]  # this check's contacts
    report: list[dict]  # every row now in report.json (earlier rows of regions not checked this time kept)
    json_path: Path
    html_path: Path
    agent: str

    @property
    def ok(self) -> bool:
        return not any(r["problems"] for r in self.rows)


def check_contacts(project: Project, codes: Iterable[str] = (), *, politeness: Politeness | None = None,
                   progress: Callable[[Fetched], None] | None = None, now: dt.datetime | None = None) -> CheckResult:
    """Check the printable contacts of the regions named (all when none is) and write the report."""
    from ..core.settings import load_settings
    from .regions import load_regions

    politeness = politeness or Politeness()
    settings = load_settings(project)
    regions = load_regions(project)
    contacts = printable_contacts(regions, codes)
    previous = load_report(project)
    memory = Memory.of(previous)
    agent = user_agent(settings.publisher, settings.publisher_url)
    checked_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fetcher = Fetcher(agent, politeness)
    try:
        fetched = fetch_all([p.url for c in contacts for p in contact_pages(c)], fetcher, progress)
    finally:
        fetcher.close()
    rows = [judge_contact(c, fetched, memory, checked_at, politeness, settings.link_twins) for c in contacts]
    for row, contact in zip(rows, contacts):
        row["path"], row["line"] = regions[contact.region].path, contact.line
    # the report keeps the last check of contacts not checked this time, as long as they are still printed
    current = {(c.region, c.id) for r in regions.values() for c in r.contacts if printable(c)}
    fresh = {(r["region"], r["id"]) for r in rows}
    kept = [r for r in previous if (r["region"], r["id"]) in current - fresh]
    in_files = [(c.region, c.id) for code in sorted(regions) for c in regions[code].contacts]
    order = {key: index for index, key in enumerate(in_files)}
    report = sorted(kept + rows, key=lambda r: order[(r["region"], r["id"])])
    write_atomic(report_json(project), (json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
                 .encode("utf-8"))
    write_atomic(report_html(project), render_report(report, agent).encode("utf-8"))
    return CheckResult(rows, report, report_json(project), report_html(project), agent)


# --- how long a check takes -----------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    hosts: list[tuple[str, int]]  # host, unique pages on it, most first
    pages: int
    contacts: int

    def seconds(self, politeness: Politeness, answer: float = 1.0) -> float:
        """The check's duration when every answer takes `answer` seconds: each host is a queue of its pages
        plus its robots.txt, one request at a time with `delay` between them; `workers` queues at a time, longest
        first."""
        lanes = [0.0] * max(1, politeness.workers)
        for _, count in self.hosts:
            lane = lanes.index(min(lanes))
            requests = count + 1  # its pages and its robots.txt
            lanes[lane] += requests * answer + (requests - 1) * politeness.delay
        return max(lanes) if self.hosts else 0.0


def plan_check(regions: dict[str, Region], codes: Iterable[str] = ()) -> Plan:
    """Which hosts a check visits and how many pages on each (no request is made)."""
    contacts = printable_contacts(regions, codes)
    urls = dict.fromkeys(p.url for c in contacts for p in contact_pages(c))
    per_host: dict[str, int] = {}
    for url in urls:
        per_host[_host(url)] = per_host.get(_host(url), 0) + 1
    return Plan(sorted(per_host.items(), key=lambda kv: (-kv[1], kv[0])), len(urls), len(contacts))


def describe_plan(plan: Plan, politeness: Politeness) -> str:
    """The plan in words: the busiest hosts, and how long the check takes at the politeness limits."""
    busy = [f"{count:>4}  {host}" for host, count in plan.hosts if count > 1]
    single = sum(1 for _, count in plan.hosts if count == 1)
    lines = [*busy, f"{single:>4}  hosts with one page each"] if plan.hosts else []
    requests = plan.pages + len(plan.hosts)  # every page, and one robots.txt per host
    lines.append(
        f"{plan.contacts} contacts, {plan.pages} pages on {len(plan.hosts)} hosts ({requests} requests with the "
        f"robots.txt files): about {_duration(plan.seconds(politeness))} when pages answer within a second "
        f"({politeness.workers} hosts at a time, {politeness.delay:g} s between requests to one host); at most "
        f"{_duration(plan.seconds(politeness, politeness.timeout))} if every request waited the full "
        f"{politeness.timeout:g} s timeout")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} minutes"
