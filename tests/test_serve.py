"""`awareness serve` in a subprocess, as a translator runs it: edits show up, the page reloads itself,
nothing outside the preview is served, it listens on 127.0.0.1 only and Ctrl-C stops it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import polib
import pytest

from conftest import awareness_bin, fill_catalog

pytestmark = pytest.mark.slow


@pytest.fixture
def served(mini, cli):
    cli(mini, "init", "fr")
    fill_catalog(mini / "locales/fr/LC_MESSAGES/messages.po")
    process = subprocess.Popen([awareness_bin(), "--project", str(mini), "serve", "--edition", "fr-GB", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=dict(os.environ, PYTHONUNBUFFERED="1"))
    output: list[str] = []
    # Read everything the server says, all the time: a full pipe would block it and look like a hang
    threading.Thread(target=lambda: output.extend(iter(process.stdout.readline, "")), daemon=True).start()
    url = None
    deadline = time.time() + 60
    while time.time() < deadline and url is None:
        match = re.search(r"on (http://127\.0\.0\.1:\d+/)", "".join(output))
        url = match.group(1) if match else None
        time.sleep(0.05)
    assert url, f"the server did not say where it listens: {''.join(output)!r}"
    process.output = output
    yield mini, url, process
    if process.poll() is None:
        process.kill()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def edit_catalog(root: Path, msgid: str, msgstr: str) -> None:
    path = root / "locales/fr/LC_MESSAGES/messages.po"
    catalog = polib.pofile(str(path))
    next(e for e in catalog if e.msgid == msgid).msgstr = msgstr
    catalog.save()


def test_a_catalog_edit_shows_in_the_served_page_and_nothing_outside_is_served(served):
    root, url, process = served
    status, page = get(f"{url}site/fr-GB/index.html")
    assert status == 200 and "Content-Security-Policy" in page
    assert '<mark class="preview-unreviewed"' in page  # filled mechanically: nothing reviewed yet
    assert '<script src="/__preview.js"' in page
    edit_catalog(root, "Your privacy", "Votre vie privée, modifiée")
    started = time.time()
    while "Votre vie privée, modifiée" not in get(f"{url}site/fr-GB/index.html")[1]:
        assert time.time() - started < 15, "the edit never showed up"
        time.sleep(0.1)
    for path in ("../awareness.toml", "site/../../awareness.toml", "%2e%2e/awareness.toml",
                 "site/%2e%2e/%2e%2e/%2e%2e/locales/fr/LC_MESSAGES/messages.po", "etc/passwd"):
        assert get(f"{url}{path}")[0] == 404, path


def test_it_listens_on_loopback_only_and_ctrl_c_stops_it(served):
    _, url, process = served
    port = int(url.rsplit(":", 1)[1].strip("/"))
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                listening.append(local.rsplit(":", 1)[0])
    assert listening == ["0100007F"]  # 127.0.0.1, and no other address
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        status = Path(f"/proc/{process.pid}/status").read_text()
        masks = [line for line in status.splitlines() if line.startswith(("State", "Sig", "Shd"))]
        pytest.fail(f"Ctrl-C did not stop the server; {masks}; it said {''.join(process.output)!r}")
    assert code == 0
    time.sleep(0.2)  # let the reader thread take the last line
    assert "stopped" in "".join(process.output)


def test_the_open_page_reloads_itself_after_an_edit(served):
    from playwright.sync_api import Error, sync_playwright

    root, url, _ = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        page = browser.new_page()
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{url}site/fr-GB/index.html")
        page.evaluate("window.__before_edit = true")
        edit_catalog(root, "Your privacy", "Vie privée (rechargée)")
        deadline = time.time() + 15
        while True:
            try:
                if not page.evaluate("() => window.__before_edit === true"):
                    break  # a new document: the page reloaded itself
            except Error:  # caught in the middle of the reload
                pass
            assert time.time() < deadline, "the page did not reload itself"
            page.wait_for_timeout(100)
        page.wait_for_selector("text=Vie privée (rechargée)", timeout=5000)
        browser.close()
    assert not [e for e in errors if "Content Security Policy" in e]  # the CSP still holds, nothing blocked
