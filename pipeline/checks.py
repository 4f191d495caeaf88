"""The check registry: one small function per check, shared by `check`, `merge` and `build --release`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import polib

from .catalogs import is_fuzzy, msgfmt_problems, msgstr_values, nplurals, read_catalog
from .errors import InputRefused
from .glossary import Glossary, english_discouraged, load_glossary, mentions
from .layout import Project
from .models import Issue, Severity
from .placeholders import BRACE, PERCENT
from .settings import load_settings

LINK = re.compile(r"\]\(\s*(<[^>]*>|[^)\s]*)(?:\s+\"[^\"]*\")?\s*\)")
BROKEN_LINK = re.compile(r"\]\s+\(")
HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(\s[^>]*)?/?\s*>")
EVENT_HANDLER = re.compile(r"\bon[a-z]+\s*=", re.IGNORECASE)
BAD_SCHEME = re.compile(r"\b(javascript|data|file|vbscript)\s*:", re.IGNORECASE)
MAX_LENGTH = re.compile(r"max-length:\s*(\d+)")
LONG_RATIO = 3.0  # a translation three times the source's length is suspicious


@dataclass(frozen=True)
class CheckContext:
    locale: str
    glossary: Glossary
    english_discouraged: tuple[str, ...] = ()
    twins: dict[str, frozenset[str]] = field(default_factory=dict)
    nplurals: int = 2
    release: bool = False


Finding = tuple[Severity, str]
CheckFunction = Callable[[polib.POEntry, CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    run: CheckFunction


REGISTRY: list[Check] = []


def check(name: str) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        REGISTRY.append(Check(name, function))
        return function
    return register


def translations(entry: polib.POEntry) -> list[str]:
    return [value for value in msgstr_values(entry) if value]


def _digits(text: str) -> list[str]:
    """Digit runs (any script's digits, read as ASCII), ignoring those inside placeholders and link targets."""
    text = LINK.sub("]()", BRACE.sub("", PERCENT.sub("", text)))
    normalised = text if text.isascii() else "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
    return re.findall(r"\d+(?:[ .\-]\d+)*", normalised)


def _host(target: str) -> str | None:
    parts = urlsplit(target.strip("<>"))
    return parts.netloc.lower().removeprefix("www.") if parts.scheme in ("http", "https") else None


@check("placeholders")
def check_placeholders(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    for text in translations(entry):
        for pattern in (BRACE, PERCENT):
            want, got = sorted(m.group(0) for m in pattern.finditer(entry.msgid)), sorted(
                m.group(0) for m in pattern.finditer(text))
            if want != got:
                missing = sorted(set(want) - set(got))
                extra = sorted(set(got) - set(want))
                detail = "; ".join(filter(None, [f"missing {' '.join(missing)}" if missing else "",
                                                 f"unknown {' '.join(extra)}" if extra else ""]))
                yield "error", f"placeholders differ from the source ({detail or 'count differs'})"


@check("markup")
def check_markup(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    for text in translations(entry):
        for token, name in (("**", "bold"), ("`", "code")):
            if text.count(token) != entry.msgid.count(token):
                yield "error", f"{name} markup ({token}) differs from the source"
        if BROKEN_LINK.search(text) and not BROKEN_LINK.search(entry.msgid):
            yield "error", "broken link: no space is allowed between ] and ("
        source_targets = LINK.findall(entry.msgid)
        targets = LINK.findall(text)
        if len(targets) != len(source_targets):
            yield "error", f"the source has {len(source_targets)} link(s), the translation {len(targets)}"
            continue
        allowed_hosts = {h for t in source_targets if (h := _host(t))}
        for host in list(allowed_hosts):
            allowed_hosts |= ctx.twins.get(host, frozenset())
        for target in targets:
            if target in source_targets:
                continue
            host = _host(target)
            if host is None or host not in allowed_hosts:
                yield "error", f"link target '{target}' is not in the source (links may not be redirected)"


@check("safety")
def check_safety(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    for text in translations(entry):
        tags = [m.group(0) for m in HTML_TAG.finditer(text) if m.group(0) not in entry.msgid]
        if tags:
            yield "error", f"raw HTML is not allowed: {tags[0]}"
        if EVENT_HANDLER.search(text) and not EVENT_HANDLER.search(entry.msgid):
            yield "error", "event handler attribute (on...=) is not allowed"
        scheme = BAD_SCHEME.search(text)
        if scheme and not BAD_SCHEME.search(entry.msgid):
            yield "error", f"'{scheme.group(1)}:' URLs are not allowed"


@check("numbers")
def check_numbers(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    source = {d.replace(" ", "").replace("-", "").replace(".", "") for d in _digits(entry.msgid)}
    for text in translations(entry):
        for run in _digits(text):
            plain = run.replace(" ", "").replace("-", "").replace(".", "")
            if plain not in source:
                yield "error", (f"number '{run}' is not in the source (phone numbers come from region data, "
                                f"never from translations)")


@check("terminology")
def check_terminology(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    if any(mentions(entry.msgid, term) for term in ctx.english_discouraged):
        return  # the source itself names the discouraged term (to explain it, or a law's title)
    for text in translations(entry):
        for term in ctx.glossary.forbidden:
            if mentions(text, term.target):
                advice = f": {term.explanation}" if term.explanation else ""
                yield "error", f"discouraged term '{term.target}'{advice}"


@check("length")
def check_length(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    limit = MAX_LENGTH.search(entry.comment or "")
    for text in translations(entry):
        if limit and len(text) > int(limit.group(1)):
            yield "error", f"{len(text)} characters, more than the limit of {limit.group(1)} for this string"
        elif len(entry.msgid) >= 20 and len(text) > LONG_RATIO * len(entry.msgid):
            yield "warning", f"translation is {len(text) / len(entry.msgid):.1f} times longer than the source"


@check("plurals")
def check_plurals(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    if entry.msgid_plural and entry.msgstr_plural and len(entry.msgstr_plural) != ctx.nplurals:
        yield "error", f"{len(entry.msgstr_plural)} plural forms, the language needs {ctx.nplurals}"


@check("untranslated")
def check_untranslated(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    if not translations(entry):
        yield ("error" if ctx.release else "warning"), "not translated"


@check("fuzzy")
def check_fuzzy(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    if is_fuzzy(entry) and translations(entry):
        yield ("error" if ctx.release else "warning"), "fuzzy: needs a translator's review"


# checks that judge the content of a translation (merge rejects on these); the rest judge completeness
CONTENT_CHECKS = ("placeholders", "markup", "safety", "numbers", "terminology", "length", "plurals")


def check_entry(entry: polib.POEntry, ctx: CheckContext, path: str,
                names: Iterable[str] | None = None) -> list[Issue]:
    wanted = set(names) if names is not None else None
    issues = []
    for item in REGISTRY:
        if wanted is not None and item.name not in wanted:
            continue
        for severity, message in item.run(entry, ctx):
            issues.append(Issue(path, entry.linenum or 0, severity, item.name, message))
    return issues


def link_twins(project: Project) -> dict[str, frozenset[str]]:
    twins: dict[str, set[str]] = {}
    for host, others in load_settings(project).link_twins.items():
        group = {host, *others}
        for member in group:
            twins.setdefault(member, set()).update(group - {member})
    return {k: frozenset(v) for k, v in twins.items()}


def context_for(project: Project, locale: str, catalog: polib.POFile, *, release: bool = False) -> CheckContext:
    return CheckContext(locale=locale, glossary=load_glossary(project, locale),
                        english_discouraged=tuple(english_discouraged(project)), twins=link_twins(project),
                        nplurals=nplurals(catalog), release=release)


def check_catalog(project: Project, locale: str, *, release: bool = False) -> list[Issue]:
    path = project.catalog(locale)
    rel = project.rel(path)
    catalog = read_catalog(path, rel)
    ctx = context_for(project, locale, catalog, release=release)
    issues = msgfmt_problems(rel, path=path)
    for entry in catalog:
        if not entry.obsolete:
            issues.extend(check_entry(entry, ctx, rel))
    return issues


def check_project(project: Project, locales: list[str], *, release: bool = False) -> list[Issue]:
    available = project.catalog_locales()
    for locale in locales:
        if locale not in available:
            raise InputRefused(f"no catalog for '{locale}' (have: {', '.join(available) or 'none'})")
    issues = []
    for locale in locales or available:
        issues.extend(check_catalog(project, locale, release=release))
    return issues
