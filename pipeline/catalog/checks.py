"""The check registry: one small function per check, shared by `check`, `merge` and `build --release`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import polib

from ..core.errors import InputRefused
from ..core.layout import Project
from ..core.models import Issue, Severity
from ..core.placeholders import BRACE, PERCENT
from ..core.release import unfinished_severity
from ..core.settings import load_settings
from .catalogs import is_fuzzy, msgfmt_problems, msgstr_values, nplurals, read_catalog
from .glossary import Glossary, english_discouraged, load_glossary, mentioned

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


@lru_cache(maxsize=16384)  # a build checks each catalog for the catalog and again for each of its editions
def _digits(text: str) -> tuple[str, ...]:
    """Digit runs (any script's digits, read as ASCII), ignoring those inside placeholders and link targets."""
    text = LINK.sub("]()", BRACE.sub("", PERCENT.sub("", text)))
    normalised = text if text.isascii() else "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in text)
    return tuple(_DIGIT_RUN.findall(normalised))


_DIGIT_RUN = re.compile(r"\d+(?:[ .\-]\d+)*")


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


HOURS_CONTEXT = "opening hours"
_TIME = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", re.I)


def clock_forms(text: str) -> set[str]:
    """The other ways a time of the English text may be written: the 24-hour hour of a pm time, the hour and
    minutes apart ("8:30" -> "8", "30"), minutes of a whole hour ("00"), and midnight as 0 or 24."""
    forms = {"00", "0", "24"}
    for hour, minutes, half in _TIME.findall(text):
        value = int(hour)
        forms |= {hour, str(value)} | ({minutes} if minutes else set())
        if half.lower().startswith("p") and value < 12:
            forms.add(str(value + 12))
        if half.lower().startswith("a") and value == 12:
            forms.add("0")
    return forms


@check("numbers")
def check_numbers(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    source = {d.replace(" ", "").replace("-", "").replace(".", "") for d in _digits(entry.msgid)}
    if entry.msgctxt == HOURS_CONTEXT:  # hours as readers write them: "2 pm to 8 pm" -> "14–20 Uhr"
        source |= clock_forms(entry.msgid)
    for text in translations(entry):
        for run in _digits(text):
            plain = run.replace(" ", "").replace("-", "").replace(".", "")
            if plain not in source:
                yield "error", (f"number '{run}' is not in the source (phone numbers come from region data, "
                                f"never from translations)")


@check("terminology")
def check_terminology(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    if mentioned(entry.msgid, ctx.english_discouraged):
        return  # the source itself names the discouraged term (to explain it, or a law's title)
    for text in translations(entry):
        for index in mentioned(text, ctx.glossary.forbidden_targets):
            term = ctx.glossary.forbidden[index]
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


# --- English left in a translation --------------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
_SENTENCES = re.compile(r"[^.!?;:\n]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# lower-case words that names and titles carry ("Office of the eSafety Commissioner") do not make a sentence
_NAME_WORDS = frozenset({"of", "the", "for", "and", "in", "on", "at", "a", "an", "&"})
MIN_WORDS, MIN_COMMON_WORDS = 3, 2


def _plain(text: str) -> str:
    """Text without what may stay as it is: link targets, addresses, placeholders, numbers, markup."""
    text = LINK.sub("]", text)
    text = _URL.sub(" ", BRACE.sub(" ", PERCENT.sub(" ", text)))
    return re.sub(r"[*_`#>\[\]()]", " ", text)


def _words(text: str) -> list[str]:
    return _LATIN_WORD.findall(text)


def english_sentences(msgid: str, kept: Iterable[str] = ()) -> list[str]:
    """The source's sentences that are English prose, not names: at least three words, two of them
    common lower-case words. Kept terms (the glossary's terms that stay in English) are left out."""
    return list(_english_sentences(msgid, tuple(kept)))


@lru_cache(maxsize=8192)  # every catalog and edition asks about the same msgids
def _english_sentences(msgid: str, kept: tuple[str, ...]) -> tuple[str, ...]:
    plain = _plain(msgid)
    for term in kept:
        plain = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", " ", plain, flags=re.IGNORECASE)
    found = []
    for piece in _SENTENCES.findall(plain):
        words = _words(piece)
        common = [w for w in words if w[0].islower() and w.lower() not in _NAME_WORDS
                  and not any(c.isupper() for c in w[1:])]
        if len(words) >= MIN_WORDS and len(common) >= MIN_COMMON_WORDS:
            found.append(" ".join(words))
    return tuple(found)


@check("english")
def check_english(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    """A translation that keeps a whole English sentence of its source (a CAT tool's unfilled segment)."""
    kept = ctx.glossary.kept_in_english
    sentences = english_sentences(entry.msgid, kept)
    if entry.msgid_plural:
        sentences += english_sentences(entry.msgid_plural, kept)
    if not sentences:
        return
    for text in translations(entry):
        words = " " + " ".join(_words(_plain(text))).casefold() + " "
        for sentence in sentences:
            if f" {sentence.casefold()} " in words:
                shown = sentence if len(sentence) <= 60 else sentence[:60] + "…"
                yield "error", f"the English sentence \"{shown}\" is left untranslated"
                break


@check("untranslated")
def check_untranslated(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    if not translations(entry):
        yield unfinished_severity(ctx.release), "not translated"


@check("fuzzy")
def check_fuzzy(entry: polib.POEntry, ctx: CheckContext) -> Iterable[Finding]:
    if is_fuzzy(entry) and translations(entry):
        yield unfinished_severity(ctx.release), "fuzzy: needs a translator's review"


# checks that judge the content of a translation (merge rejects on these); the rest judge completeness
CONTENT_CHECKS = ("placeholders", "markup", "safety", "numbers", "terminology", "length", "plurals", "english")


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


def link_twins(project: Project, settings=None) -> dict[str, frozenset[str]]:
    twins: dict[str, set[str]] = {}
    for host, others in (settings or load_settings(project)).link_twins.items():
        group = {host, *others}
        for member in group:
            twins.setdefault(member, set()).update(group - {member})
    return {k: frozenset(v) for k, v in twins.items()}


class CheckInputs:
    """What the checks read besides the catalog (settings, glossaries), read once and shared: a build checks
    every edition's catalog with one of these, not by reading the glossaries again per edition."""

    def __init__(self, project: Project, settings=None):
        self.project = project
        self.english_discouraged = tuple(english_discouraged(project))
        self.twins = link_twins(project, settings)
        self._glossaries: dict[str, Glossary] = {}

    def context(self, locale: str, catalog: polib.POFile, *, release: bool = False) -> CheckContext:
        if locale not in self._glossaries:
            self._glossaries[locale] = load_glossary(self.project, locale)
        return CheckContext(locale=locale, glossary=self._glossaries[locale],
                            english_discouraged=self.english_discouraged, twins=self.twins,
                            nplurals=nplurals(catalog), release=release)


def context_for(project: Project, locale: str, catalog: polib.POFile, *, release: bool = False) -> CheckContext:
    return CheckInputs(project).context(locale, catalog, release=release)


# msgfmt -c warns about header fields a platform has not filled yet (Weblate writes PO-Revision-Date with the
# first translation, and `Language-Team: none`): worth a warning, never a failed CI run
_UNFILLED_HEADER = re.compile(r"header field '(PO-Revision-Date|Language-Team|Last-Translator)' "
                              r"(missing in header|still has the initial default value)")


def _msgfmt_issues(rel: str, path) -> list[Issue]:
    issues = []
    for issue in msgfmt_problems(rel, path=path):
        if _UNFILLED_HEADER.search(issue.message):
            issue = Issue(issue.path, issue.line, "warning", "header",
                          issue.message.removeprefix("warning: ") + " (a platform fills it with the first translation)")
        issues.append(issue)
    return issues


# --- Plural-Forms: the rule must give the language's plural categories ---------------------------

# every n where some language's rule changes form below 1000, and the millions French and Italian care about
_PLURAL_SAMPLE = tuple(range(0, 1001)) + tuple(m * 10 ** k + d for k in (3, 4, 5, 6, 7) for m in (1, 2, 5)
                                                for d in (0, 1, 2, 5, 11, 21))


def _rule(header: str) -> tuple[int, str] | None:
    nplurals = re.search(r"nplurals\s*=\s*(\d+)", header)
    plural = re.search(r"plural\s*=\s*(.+?)\s*;?\s*$", header)
    return (int(nplurals.group(1)), plural.group(1)) if nplurals and plural else None


def _forms(rule: tuple[int, str]) -> tuple[int, ...] | None:
    """The form index the rule picks for each sample n; None when the expression cannot be evaluated."""
    import gettext

    try:
        function = gettext.c2py(rule[1])
        return tuple(int(function(n)) for n in _PLURAL_SAMPLE)
    except Exception:  # a header from any tool: whatever gettext cannot evaluate is "cannot be read"
        return None


def reference_plural_rules(locale: str) -> list[tuple[str, tuple[int, str]]]:
    """The rules a catalog for `locale` may carry: Babel's (what `init` writes), CLDR's through Babel (what
    Weblate writes) and GNU gettext's table (as translate-toolkit keeps it)."""
    from babel import Locale, UnknownLocaleError
    from babel.messages.plurals import get_plural
    from babel.plural import to_gettext

    rules: list[tuple[str, tuple[int, str]]] = []
    try:
        babel = get_plural(locale)
        rules.append(("Babel", (babel.num_plurals, babel.plural_expr)))
        cldr = _rule(to_gettext(Locale.parse(locale).plural_form))
        if cldr:
            rules.append(("CLDR", cldr))
    except (ValueError, LookupError, UnknownLocaleError):
        pass
    try:
        from translate.lang.data import languages

        for code in (locale, locale.split("_")[0]):
            if code in languages:
                rules.append(("gettext", (languages[code][1], languages[code][2])))
                break
    except ImportError:
        pass
    return rules


def check_plural_header(catalog: polib.POFile, locale: str, rel: str, text: str) -> list[Issue]:
    """An error when the Plural-Forms rule gives other plural forms than the language has."""
    header = catalog.metadata.get("Plural-Forms", "")
    if not header:
        return []
    line = next((n for n, row in enumerate(text.splitlines(), start=1) if row.startswith('"Plural-Forms:')), 0)
    shown = header if len(header) <= 160 else header[:160] + "…"
    declared = _rule(header)
    forms = _forms(declared) if declared else None
    if declared is None or forms is None or (forms and max(forms) >= declared[0]):
        return [Issue(rel, line, "error", "plural-forms", f"Plural-Forms '{shown}' cannot be read as a rule")]
    references = reference_plural_rules(locale)
    if not references or any(_forms(rule) == forms and rule[0] == declared[0] for _, rule in references):
        return []
    name, (count, expr) = references[0]
    wanted = f"nplurals={count}; plural={expr};"
    if all(rule[0] != declared[0] for _, rule in references):
        return [Issue(rel, line, "error", "plural-forms",
                      f"'{shown}' has {declared[0]} plural forms; {locale} needs {count}: '{wanted}' ({name})")]
    return [Issue(rel, line, "error", "plural-forms",
                  f"'{shown}' picks other plural forms than {locale} has; use '{wanted}' ({name})")]


def check_catalog(project: Project, locale: str, *, release: bool = False, catalog: polib.POFile | None = None,
                  inputs: CheckInputs | None = None) -> list[Issue]:
    """Every check on one catalog. `catalog`: already read (stats reads it once); `inputs`: shared glossaries."""
    path = project.catalog(locale)
    rel = project.rel(path)
    catalog = catalog if catalog is not None else read_catalog(path, rel)
    ctx = (inputs or CheckInputs(project)).context(locale, catalog, release=release)
    issues = _msgfmt_issues(rel, path)
    issues += check_plural_header(catalog, locale, rel, path.read_text("utf-8", "replace"))
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
