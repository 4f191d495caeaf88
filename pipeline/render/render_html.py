"""Markdown -> safe HTML, and the Jinja environment for pages and leaflets."""

from __future__ import annotations

import importlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import markdown
import nh3
from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from markupsafe import Markup, escape

from ..core.errors import InputRefused
from ..core.layout import Project
from ..core.placeholders import BRACE as PLACEHOLDER
from ..core.storage import user_cache, warn

if TYPE_CHECKING:
    from ..catalog.catalogs import Lookup

# What Python-Markdown's `extra` produces, and nothing else: no script, style, iframe, form, event handler.
ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "em", "strong", "code", "pre",
                "blockquote", "table", "thead", "tbody", "tr", "th", "td", "img", "br", "hr", "dl", "dt", "dd",
                "abbr", "sup", "sub", "div", "span", "del", "ins"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "id"}, "img": {"src", "alt", "title"}, "abbr": {"title"},
                      "th": {"align"}, "td": {"align"}, "li": {"id"}, "sup": {"id"}, "div": {"class"},
                      "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "ol": {"start"}}
URL_SCHEMES = {"https", "http", "mailto", "tel"}
_MD_LINK = re.compile(r'href="(?P<page>[A-Za-z0-9_-]+)\.md(?P<anchor>#[^"]*)?"')
REMOTE = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.-]*:|//|\\\\)")


def is_remote(url: str) -> bool:
    """A URL that would load from another site (or any scheme at all): not allowed as an image source."""
    return bool(REMOTE.match(url))


def _local_sources_only(tag: str, attribute: str, value: str) -> str | None:
    # privacy must not rest on the CSP alone: a remote image would tell another site who reads the page
    if attribute == "src" and is_remote(value):
        return None
    return value


def sanitize(html: str) -> str:
    """Strip anything that could run code or load from elsewhere (nh3 = the Rust ammonia sanitizer)."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True, attribute_filter=_local_sources_only)


def _extra() -> list:
    """Python-Markdown's `extra`: the extensions it lists, made from their modules. Named by string, every
    extension is first looked up among all installed packages' entry points, a scan of their metadata that
    cost a one-edition build 0.05 s."""
    from markdown.extensions import extra

    return [importlib.import_module(f"markdown.extensions.{name}").makeExtension() for name in extra.extensions]


def markdown_to_html(text: str) -> str:
    """Our dialect: Python-Markdown with the `extra` extensions; links to other documents become .html."""
    html = sanitize(markdown.markdown(text, extensions=_extra(), output_format="html"))
    return _MD_LINK.sub(lambda m: f'href="{m.group("page")}.html{m.group("anchor") or ""}"', html)


def fill_placeholders(html: str, values: dict[str, Markup]) -> Markup:
    """Put region values (numbers, names) in after sanitizing: numbers never come from translations."""
    return Markup(PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), html))


def fill_text(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def ltr(text: str) -> Markup:
    """Numbers and URLs stay readable inside right-to-left text."""
    return Markup('<bdi dir="ltr">') + escape(text) + Markup("</bdi>")


@dataclass(frozen=True)
class Templates:
    """The project's Jinja templates, with one edition's translations installed."""

    env: Environment
    rel: str  # the templates folder, relative to the project, for error messages
    root: Path  # the templates folder

    def render(self, name: str, context: dict) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except TemplateError as exc:
            where, line = _template_frame(exc, self.root)
            where = where or getattr(exc, "filename", None) or getattr(exc, "name", None) or name
            line = getattr(exc, "lineno", None) or line
            path = Path(where)
            shown = path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else path.name
            raise InputRefused(f"template error: {getattr(exc, 'message', None) or exc}", path=f"{self.rel}/{shown}",
                               line=line) from None


CACHE_LIMIT = 2000  # compiled templates kept on disk (a project has about 15; each copy of it adds its own)


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by every edition of a process (each edition has its own Environment,
    because its translations differ; compiling the same templates again cost ~0.1 s an edition), and kept
    on disk between processes (Jinja's own file cache, keyed by each template's checksum), so a one-edition
    build does not compile them again either."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}
        self.disk: BytecodeCache | None = None
        self.warned = False
        self.swept = False

    def _files(self) -> BytecodeCache | None:
        if self.disk is None:
            folder = user_cache("jinja")
            try:
                folder.mkdir(parents=True, exist_ok=True)
                self.disk = FileSystemBytecodeCache(str(folder))
            except OSError:
                return None
        return self.disk

    def _sweep(self) -> None:
        """Jinja writes each file through a temporary; a process killed meanwhile leaves it behind. The next
        process that writes to the cache removes those over an hour old (listing a folder of thousands of
        compiled templates costs more than a one-edition build that only reads them). Jinja keys a compiled
        template by its path, so every copy of a project adds its own: past CACHE_LIMIT files the oldest go."""
        if self.swept or self.disk is None:
            return
        self.swept = True
        stale = time.time() - 3600
        try:
            with os.scandir(user_cache("jinja")) as entries:
                files = [e for e in entries if e.name.startswith("__jinja2_")]
            for entry in files:
                if entry.name.endswith(".tmp") and entry.stat().st_mtime < stale:
                    Path(entry.path).unlink(missing_ok=True)
            compiled = [e for e in files if e.name.endswith(".cache")]
            if len(compiled) > CACHE_LIMIT:
                compiled.sort(key=lambda e: e.stat().st_mtime)
                for entry in compiled[:len(compiled) - CACHE_LIMIT // 2]:
                    Path(entry.path).unlink(missing_ok=True)
        except OSError:
            pass

    def load_bytecode(self, bucket) -> None:
        if bucket.key not in self.store and self._files() is not None:
            try:
                self.disk.load_bytecode(bucket)
            except Exception as exc:  # noqa: BLE001 - a damaged cache file (truncated pickle, bad marshal data)
                self._discard(bucket, exc)
            if bucket.code is not None:
                self.store[bucket.key] = bucket.bytecode_to_string()
                return
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def _discard(self, bucket, exc: Exception) -> None:
        """A cache file that does not load is deleted, said once, and the template compiled again."""
        bucket.reset()
        path = Path(self.disk._get_cache_filename(bucket))
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
        if not self.warned:  # once: a damaged cache folder would otherwise say it for every template
            self.warned = True
            warn(f"{path.parent}: a compiled-template cache file was unreadable ({type(exc).__name__}); deleted "
                 f"damaged files, templates are compiled again")

    def dump_bytecode(self, bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()
        if self._files() is not None:
            try:
                self._sweep()
                self.disk.dump_bytecode(bucket)
            except OSError:
                pass  # a read-only home: compiled in memory only


_BYTECODE = _MemoryBytecodeCache()


def address_html(label: str) -> Markup:
    """A web address that may wrap only after a slash (`<wbr>`), never inside a word: a printed address cut off
    at the edge of a card, or broken anywhere else, is an address nobody can type."""
    parts = str(label).split("/")
    return Markup("<wbr>").join(Markup('<span class="nowrap">{}</span>').format(part + ("/" if i < len(parts) - 1 else ""))
                                for i, part in enumerate(parts))


def load_templates(project: Project, lookup: Lookup) -> Templates:
    """The project's templates, translated through `lookup` (a message it does not translate stays English)."""
    env = Environment(loader=FileSystemLoader(str(project.templates)), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"], bytecode_cache=_BYTECODE)

    # Jinja trusts translations as markup; ours come from translators' files, so escape them first.
    def safe_gettext(message: str) -> Markup:
        return escape(lookup(None, message) or message)

    def safe_pgettext(context: str, message: str) -> Markup:
        return escape(lookup(context, message) or message)

    env.filters["address"] = address_html
    env.install_gettext_callables(gettext=safe_gettext, ngettext=lambda s, p, n: safe_gettext(s if n == 1 else p),
                                  pgettext=safe_pgettext,
                                  npgettext=lambda c, s, p, n: safe_pgettext(c, s if n == 1 else p), newstyle=True)
    return Templates(env, project.rel(project.templates), project.templates.resolve())


def _template_frame(exc: BaseException, root: Path) -> tuple[str | None, int | None]:
    """The innermost template file and line a render error happened at (Jinja maps its tracebacks to
    template lines; an undefined variable names no line of its own)."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".html") and Path(filename).resolve().is_relative_to(root):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
