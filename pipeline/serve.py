"""`awareness serve`: a local preview for translators, on 127.0.0.1 only.

It builds the chosen editions into output/preview/ with marks on untranslated, fuzzy and unreviewed text,
watches the sources (documents, templates, region files, catalogs, settings), rebuilds only what changed,
and makes the open page reload itself. The pages keep their Content-Security-Policy: the reload signal is an
image request to this server (img-src 'self'), so no script needs to fetch anything.
"""

from __future__ import annotations

import html
import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .build import build
from .core.errors import PipelineError
from .core.layout import Project
from .publish.leaflets import FORMATS

HOST = "127.0.0.1"  # never another interface: a preview may show unreviewed text
POLL_SECONDS = 0.1  # a stat of every source; cheap, and the save shows within half a second
# How long a reload signal waits for a rebuild, and how long a connection may send nothing before it is closed.
# Test hooks: tests wait these out, and AWARENESS_TEST_LONG_POLL_SECONDS / AWARENESS_TEST_IDLE_SECONDS shorten
# them (as KILL_AT_WRITE in core.storage is a hook for tests, nobody previewing a translation sets them)
LONG_POLL_SECONDS = float(os.environ.get("AWARENESS_TEST_LONG_POLL_SECONDS") or 15.0)
IDLE_SECONDS = float(os.environ.get("AWARENESS_TEST_IDLE_SECONDS") or 10.0)
# what a client may do to a connection (hang up, time out): never worth a traceback
CLIENT_GONE = (ConnectionError, TimeoutError)
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00"
       b"\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
PREVIEW_JS = """// Reloads the page when the preview server has rebuilt it. The CSP allows images from this server only,
// so the signal is an image: it loads when there is a new build, and fails when the wait timed out.
(function () {
  "use strict";
  var version = document.currentScript.getAttribute("data-version");
  function poll() {
    var signal = new Image();
    signal.onload = function () { window.location.reload(); };
    signal.onerror = function () { window.setTimeout(poll, 200); };
    signal.src = "/__changed?v=" + version + "&t=" + Date.now();
  }
  // after the page has loaded: a waiting image would otherwise hold the load event (and the spinner)
  if (document.readyState === "complete") { poll(); } else { window.addEventListener("load", poll); }
})();
"""
PREVIEW_CSS = """mark.preview-untranslated { background: #ffd6d6; outline: 1px dashed #a3121f; color: inherit; }
mark.preview-fuzzy { background: #ffe9a8; outline: 1px dashed #8a6100; color: inherit; }
mark.preview-unreviewed { background: #e3f1dc; color: inherit; }
.preview-legend { position: fixed; bottom: 0; inset-inline: 0; z-index: 50; background: #1a1a1a; color: #fff;
  font: 14px/1.4 system-ui, sans-serif; padding: 0.3rem 0.8rem; }
.preview-legend mark { padding: 0 0.3rem; }
"""


def watched_files(project: Project) -> dict[Path, int]:
    """Every source a preview depends on, with its modification time."""
    files: dict[Path, int] = {}
    for folder, pattern in ((project.source, "**/*"), (project.locales, "*/LC_MESSAGES/*.po")):
        if folder.is_dir():
            for path in folder.glob(pattern):
                if path.is_file():
                    files[path] = path.stat().st_mtime_ns
    if project.settings_file.is_file():
        files[project.settings_file] = project.settings_file.stat().st_mtime_ns
    return files


@dataclass
class Preview:
    """The state shared by the watcher and the request handlers."""

    project: Project  # the sources
    out: Project  # the same project, its pages built into output/preview/
    editions: list[str]
    version: int = 0
    log: Callable[[str], None] = print
    error: str = ""
    changed: threading.Condition = field(default_factory=threading.Condition)
    pages_lock: threading.Lock = field(default_factory=threading.Lock)
    prints_lock: threading.Lock = field(default_factory=threading.Lock)
    prints_wanted: threading.Event = field(default_factory=threading.Event)

    @property
    def prints(self) -> Project:
        """Leaflets are built apart (their own build state), so a page never waits for a leaflet."""
        return self.out.with_output(self.out.output / "print")

    def rebuild(self, *, leaflets: bool = True) -> None:
        self.rebuild_pages()
        if leaflets:
            self.prints_wanted.set()
            if self.prints_lock.acquire(blocking=False):  # else the running leaflet build goes round again
                threading.Thread(target=self._leaflet_loop, daemon=True).start()

    def rebuild_pages(self) -> None:
        """What a translator is looking at: the pages, marked."""
        with self.pages_lock:
            started = time.perf_counter()
            try:
                report = build(self.out, editions=self.editions, formats="html", jobs=1, preview=True)
                if self.error:
                    self.error = ""
                    self._bump()
            except PipelineError as exc:
                self._failed(exc)
                return
            built = [r.edition.id for r in report.results]
            if built:  # a save that changed nothing these pages use reloads nothing
                self.log(f"rebuilt {', '.join(built)} pages in {time.perf_counter() - started:.2f}s")
                self._bump()

    def _leaflet_loop(self) -> None:
        try:
            while self.prints_wanted.is_set():
                self.prints_wanted.clear()
                self._rebuild_leaflets()
        finally:
            self.prints_lock.release()

    def _rebuild_leaflets(self) -> None:
        began = time.perf_counter()
        try:
            report = build(self.prints, editions=self.editions, formats="pdf", jobs=1)
        except PipelineError as exc:
            self._failed(exc)
            return
        for result in report.results:
            for fmt in FORMATS:
                pdf = self.prints.leaflet(result.edition.id, fmt)
                if pdf.is_file():
                    self._page_images(result.edition.id, fmt, pdf)
        if report.results:
            self.log(f"rebuilt leaflets of {', '.join(r.edition.id for r in report.results)} in "
                     f"{time.perf_counter() - began:.2f}s")
            self._bump()

    def _page_images(self, edition: str, fmt: str, pdf: Path) -> None:
        target = self.prints.preview_page(edition, fmt, 1)
        target.parent.mkdir(parents=True, exist_ok=True)
        for old in target.parent.glob(f"{edition}.{fmt}-*.png"):
            old.unlink()
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-r", "40" if fmt == "poster" else "60", "-png", str(pdf),
                            str(target.parent / f"{edition}.{fmt}")], capture_output=True)

    def _failed(self, exc: PipelineError) -> None:
        """A build refused its input: say so in the terminal and on the open page, keep serving."""
        self.error = str(exc)
        self.log(f"awareness serve: {exc}")
        self._bump()

    def _bump(self) -> None:
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.version > seen, timeout)

    def watch(self, stop: threading.Event, known: dict[Path, int]) -> None:
        """Rebuild once the sources stop changing for a moment (an editor may write a file in steps).
        `known`: the sources as they were for the first build, so no edit made since is missed."""
        pending = False
        while not stop.wait(POLL_SECONDS):
            now = watched_files(self.project)
            if now != known:
                known, pending = now, True
            elif pending:
                pending = False
                self.rebuild()


class BadRequest(Exception):
    """A request this server cannot make sense of: answered 400."""


class Handler(http.server.BaseHTTPRequestHandler):
    preview: Preview  # set on the subclass made per server
    timeout = IDLE_SECONDS  # socket timeout: an idle or stalled client is dropped
    head = False

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        pass

    def do_HEAD(self) -> None:  # noqa: N802 - the stdlib's name
        self.head = True
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        try:
            self._answer()
        except BadRequest as exc:
            self._send(400, f"bad request: {exc}".encode(), "text/plain")

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        try:
            path = unquote(parts.path, errors="strict")
        except UnicodeDecodeError:
            raise BadRequest("the path is not UTF-8") from None
        if any(ord(c) < 32 or ord(c) == 127 for c in path) or not path.startswith("/"):
            raise BadRequest("control characters or a relative path")
        if path == "/__changed":
            try:
                seen = int(parse_qs(parts.query).get("v", ["0"])[0] or 0)
            except ValueError:
                raise BadRequest("v must be a whole number") from None
            if self.preview.version > seen or self.preview.wait_for_change(seen, LONG_POLL_SECONDS):
                return self._send(200, GIF, "image/gif")
            return self._send(404, b"", "text/plain")  # nothing new: the page asks again
        if path == "/__preview.js":
            return self._send(200, PREVIEW_JS.encode(), "text/javascript")
        if path == "/__preview.css":
            return self._send(200, PREVIEW_CSS.encode(), "text/css")
        if path in ("/", "/index.html"):
            return self._send(200, self._index().encode(), "text/html; charset=utf-8")
        if path.startswith("/__edition/"):
            return self._edition(path.removeprefix("/__edition/"))
        file = self._file(path)
        if file is None:
            return self._send(404, b"not found", "text/plain")
        try:
            data = file.read_bytes()
        except OSError:  # removed or replaced by a rebuild in the meantime
            return self._send(404, b"not found", "text/plain")
        kind = {".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
                ".svg": "image/svg+xml", ".png": "image/png", ".pdf": "application/pdf",
                ".xml": "application/xml"}.get(file.suffix, "application/octet-stream")
        if file.suffix == ".html":
            data = self._inject(data.decode("utf-8", "replace")).encode("utf-8")
        self._send(200, data, kind)

    def _file(self, path: str) -> Path | None:
        """A file of the preview output, never anything outside it (no `..`, no symlinks out)."""
        root = self.preview.out.output.resolve()
        try:
            candidate = (root / path.lstrip("/")).resolve()
            if not candidate.is_relative_to(root) or not candidate.is_file():
                return None
        except (OSError, ValueError):  # a name too long for the file system, a loop of symlinks
            return None
        return candidate

    def _inject(self, page: str) -> str:
        extra = (f'<link rel="stylesheet" href="/__preview.css">'
                 f'<script src="/__preview.js" data-version="{self.preview.version}" defer></script>')
        legend = ('<div class="preview-legend">Preview: <mark class="preview-untranslated">untranslated</mark> '
                  '<mark class="preview-fuzzy">fuzzy</mark> <mark class="preview-unreviewed">not yet reviewed'
                  '</mark>' + (f" · <strong>{html.escape(self.preview.error)}</strong>" if self.preview.error else "")
                  + "</div>")
        return page.replace("</head>", extra + "</head>", 1).replace("</body>", legend + "</body>", 1)

    def _index(self) -> str:
        rows = "".join(f'<li><a href="/site/{e}/index.html">{e}</a> · <a href="/__edition/{e}">pages and '
                       f'leaflets side by side</a></li>' for e in self.preview.editions)
        return self._page("Preview", f"<h1>Preview</h1><ul>{rows}</ul>")

    def _edition(self, edition: str) -> None:
        if edition not in self.preview.editions:
            return self._send(404, b"not found", "text/plain")
        images = sorted(self.preview.prints.preview_page(edition, "x", 1).parent.glob(f"{edition}.*.png"))
        pictures = "".join(f'<figure><img src="/print/pages/{p.name}" alt="{p.stem}"><figcaption>{p.stem}'
                           f"</figcaption></figure>" for p in images)
        body = (f'<h1>{edition}</h1><div class="side"><iframe src="/site/{edition}/index.html" title="site"></iframe>'
                f'<div class="leaflets">{pictures or "<p>Leaflets are being built…</p>"}</div></div>')
        page = self._page(edition, body, frames=True)
        self._send(200, self._inject(page).encode(), "text/html; charset=utf-8")

    @staticmethod
    def _page(title: str, body: str, frames: bool = False) -> str:
        policy = "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self'"
        if frames:
            policy += "; frame-src 'self'"
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
                f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
                "<style>body{font-family:system-ui,sans-serif;margin:1rem}.side{display:flex;gap:1rem;"
                "align-items:flex-start}iframe{width:420px;height:85vh;border:1px solid #ccc}.leaflets{display:flex;"
                "flex-wrap:wrap;gap:0.5rem}figure{margin:0}img{border:1px solid #ccc}</style></head>"
                f"<body>{body}</body></html>")

    def _send(self, code: int, data: bytes, kind: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not self.head:
            self.wfile.write(data)


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A client that hung up or timed out is no error of ours; anything else is, and shows."""
        if isinstance(sys.exc_info()[1], CLIENT_GONE):
            return
        super().handle_error(request, client_address)


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    """Make Ctrl-C and SIGTERM stop the server whatever the parent process left behind: a signal it
    ignored or blocked is inherited across exec, and Python then never installs its Ctrl-C handler."""
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread (tests call serve() in a thread)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupt)


def serve(project: Project, editions: list[str], port: int, *, log: Callable[[str], None] = print,
          ready: Callable[[str], None] | None = None) -> None:
    """Build, serve and watch until interrupted (Ctrl-C, or SIGTERM from a process manager)."""
    _stop_on_signals()
    from .edition.editions import select_editions
    from .edition.view import load_inputs

    inputs, _ = load_inputs(project)
    chosen = select_editions(project, inputs.regions, editions)[0] if editions else inputs.editions
    preview = Preview(project, project.with_output(project.preview_output), [e.id for e in chosen], log=log)
    known = watched_files(project)
    preview.rebuild_pages()
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    server = PreviewServer((HOST, port), handler)
    stop = threading.Event()
    try:
        url = f"http://{HOST}:{server.server_address[1]}/"
        (ready or log)(f"Serving a preview of {len(chosen)} edition(s) on {url} (Ctrl-C stops)")
        # WeasyPrint is imported here, not in the leaflet thread: a daemon thread stopped by Ctrl-C in the
        # middle of an import would hold the import lock while the interpreter shuts down, and hang it
        from .render.render_pdf import _weasyprint

        _weasyprint()
        preview.rebuild()  # the leaflets, in the background, once the pages are up
        threading.Thread(target=preview.watch, args=(stop, known), daemon=True).start()
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        log("stopped")
    finally:
        stop.set()
        server.server_close()
