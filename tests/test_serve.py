"""`awareness serve` in a subprocess, as a translator runs it: edits show up, the page reloads itself,
nothing outside the preview is served, it listens on 127.0.0.1 only and Ctrl-C stops it.

One server answers every test of this module (starting one costs more than all the requests made to it); the
Ctrl-C test stops it, last. A test run alone, or after it, gets a server of its own."""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner
from conftest import FIXED_EPOCH, FULL, awareness_bin, fill_catalog, mini_copy

from pipeline.cli import main
from pipeline.serve import IDLE_SECONDS, LONG_POLL_SECONDS

pytestmark = pytest.mark.slow
FR = "locales/fr/LC_MESSAGES/messages.po"
# `make test` shortens what the idle test waits out (test hooks of pipeline.serve); nightly it waits the real times
HOOKS = {} if FULL else {"AWARENESS_TEST_IDLE_SECONDS": "2", "AWARENESS_TEST_LONG_POLL_SECONDS": "3"}
IDLE = float(HOOKS.get("AWARENESS_TEST_IDLE_SECONDS", IDLE_SECONDS))
LONG_POLL = float(HOOKS.get("AWARENESS_TEST_LONG_POLL_SECONDS", LONG_POLL_SECONDS))


class Server:
    """`awareness serve --edition fr-GB` on the small project with a French catalog filled in."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process: subprocess.Popen | None = None
        self.output: list[str] = []
        self.url = ""

    def start(self) -> None:
        self.process = subprocess.Popen(
            [awareness_bin(), "--project", str(self.root), "serve", "--edition", "fr-GB", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "SOURCE_DATE_EPOCH": FIXED_EPOCH, **HOOKS})
        self.output = output = []
        # Read everything the server says, all the time: a full pipe would block it and look like a hang
        threading.Thread(target=lambda: output.extend(iter(self.process.stdout.readline, "")), daemon=True).start()
        deadline = time.time() + 60
        while time.time() < deadline:
            match = re.search(r"on (http://127\.0\.0\.1:\d+/)", self.said())
            if match:
                self.url = match.group(1)
                return
            time.sleep(0.05)
        pytest.fail(f"the server did not say where it listens: {self.said()!r}")

    def said(self) -> str:
        return "".join(self.output)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.running():
            self.process.kill()
        if self.process is not None:
            self.process.wait()  # reaped: what it cost counts for this module


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = mini_copy(tmp_path_factory.mktemp("serve") / "mini")
    settings = root / "awareness.toml"
    # one print format, the smallest: the leaflets, rebuilt in the background after each edit, are not checked here
    settings.write_text(settings.read_text(encoding="utf-8").replace("[leaflet]\n", '[leaflet]\nformats = ["card"]\n'),
                        encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        for args in (["extract"], ["init", "fr"]):
            result = CliRunner().invoke(main, ["--project", str(root), *args], catch_exceptions=False)
            assert result.exit_code == 0, result.output
    fill_catalog(root / FR)
    server = Server(root)
    yield server
    server.stop()


@pytest.fixture
def served(server: Server) -> Server:
    """The module's server, started again if a test before this one stopped it."""
    if not server.running():
        server.start()
    return server


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def edit_catalog(root: Path, msgid: str, msgstr: str) -> None:
    path = root / FR
    catalog = polib.pofile(str(path))
    next(e for e in catalog if e.msgid == msgid).msgstr = msgstr
    catalog.save()


def test_a_catalog_edit_shows_in_the_served_page_and_nothing_outside_is_served(served):
    url = served.url
    status, page = get(f"{url}site/fr-GB/index.html")
    assert status == 200 and "Content-Security-Policy" in page
    assert '<mark class="preview-unreviewed"' in page  # filled mechanically: nothing reviewed yet
    assert '<script src="/__preview.js"' in page
    edit_catalog(served.root, "Your privacy", "Votre vie privée, modifiée")
    started = time.time()
    while "Votre vie privée, modifiée" not in get(f"{url}site/fr-GB/index.html")[1]:
        assert time.time() - started < 15, "the edit never showed up"
        time.sleep(0.1)
    for path in ("../awareness.toml", "site/../../awareness.toml", "%2e%2e/awareness.toml",
                 "site/%2e%2e/%2e%2e/%2e%2e/locales/fr/LC_MESSAGES/messages.po", "etc/passwd"):
        assert get(f"{url}{path}")[0] == 404, path


def test_it_listens_on_loopback_only(served):
    port = int(served.url.rsplit(":", 1)[1].strip("/"))
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                listening.append(local.rsplit(":", 1)[0])
    assert listening == ["0100007F"]  # 127.0.0.1, and no other address


def test_the_open_page_reloads_itself_after_an_edit(served):
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        page = browser.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{served.url}site/fr-GB/index.html")
        for _ in range(50):  # a build the server finished meanwhile (its leaflets) may reload the page first
            try:
                page.evaluate("window.__before_edit = true")
                break
            except Error:
                page.wait_for_load_state()
        edit_catalog(served.root, "Your privacy", "Vie privée (rechargée)")
        deadline = time.time() + 15
        while True:
            try:
                if not page.evaluate("() => window.__before_edit === true"):
                    break  # a new document: the page reloaded itself
            except Error:  # caught in the middle of the reload
                pass
            assert time.time() < deadline, "the page did not reload itself"
            page.wait_for_timeout(100)
        page.wait_for_selector("text=Vie privée (rechargée)", timeout=5000)  # only a reload after the edit shows it
        browser.close()
    assert not [e for e in errors if "Content Security Policy" in e]  # the CSP still holds, nothing blocked


def raw(url: str, request: bytes, *, read: bool = True) -> bytes:
    """Send bytes as they are (urllib would quote or refuse them) and read the whole answer."""
    host, port = url.split("//")[1].strip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as conn:
        conn.sendall(request)
        if not read:
            return b""
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def test_malformed_requests_get_400_and_head_is_answered(served):
    url = served.url
    for path in (b"/%00", b"/site/en-US/index.html%00.png", b"/__changed?v=abc", b"/site/%ff%fe.html",
                 b"/site/fr-GB/%0d%0aindex.html", b"/__changed?v=1e5"):
        answer = raw(url, b"GET " + path + b" HTTP/1.0\r\n\r\n")
        assert answer.startswith(b"HTTP/1.0 400 "), (path, answer[:80])
    assert raw(url, b"GET /" + b"a" * 5000 + b" HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 404 ")
    answer = raw(url, b"HEAD /site/fr-GB/index.html HTTP/1.0\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 ") and b"Content-Length: " in head and body == b""
    assert raw(url, b"HEAD /nothing-here HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 404 ")
    assert get(f"{url}site/fr-GB/index.html")[0] == 200  # still serving
    time.sleep(0.2)
    assert "Traceback" not in served.said()


def test_clients_that_hang_up_or_idle_print_nothing_and_are_dropped(served):
    url = served.url
    for _ in range(5):  # hang up before the answer, during a long poll, and with a reset (SO_LINGER 0)
        raw(url, b"GET /site/fr-GB/index.html HTTP/1.0\r\n\r\n", read=False)
        raw(url, b"GET /__changed?v=999999 HTTP/1.0\r\n\r\n", read=False)
        host, port = url.split("//")[1].strip("/").split(":")
        conn = socket.create_connection((host, int(port)))
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.sendall(b"GET /site/fr-GB/page.html HTTP/1.0\r\n\r\n")
        conn.close()
    idle = socket.create_connection((host, int(port)))
    started = time.time()
    idle.settimeout(IDLE + 10)
    assert idle.recv(100) == b""  # closed by the server, not by this timeout
    assert IDLE - 1 < time.time() - started < IDLE + 5
    idle.close()
    time.sleep(LONG_POLL - IDLE + 1)  # the long polls answer their gone clients by now
    assert get(f"{url}site/fr-GB/index.html")[0] == 200
    said = served.said()
    assert "Traceback" not in said and "BrokenPipe" not in said and "ConnectionReset" not in said, said


def test_ctrl_c_stops_it_even_in_the_middle_of_a_rebuild(served):
    process = served.process
    rebuilt = served.said().count("rebuilt fr-GB pages")
    edit_catalog(served.root, "Your privacy", "Vie privée (arrêtée)")
    deadline = time.time() + 15
    while served.said().count("rebuilt fr-GB pages") == rebuilt:  # the leaflets are rebuilt next, in a thread
        assert time.time() < deadline, f"the edit was not rebuilt: {served.said()!r}"
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        status = Path(f"/proc/{process.pid}/status").read_text()
        masks = [line for line in status.splitlines() if line.startswith(("State", "Sig", "Shd"))]
        pytest.fail(f"Ctrl-C did not stop the server; {masks}; it said {served.said()!r}")
    assert code == 0
    time.sleep(0.2)  # let the reader thread take the last line
    said = served.said()
    assert said.rstrip().endswith("stopped") and "Traceback" not in said, said
