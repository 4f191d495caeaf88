"""The built site in a real headless Chromium (Debian's): axe-core, quick exit, CSP, phone layout."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
EDITIONS = ("en-US", "ar-EG", "ja-JP")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site(shared_build):
    """The test run's one build of the real project (conftest), served over HTTP on the loopback."""
    root = shared_build
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root / "output" / "site"))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pages_of(root: Path, edition: str) -> list[str]:
    return sorted(p.name for p in (root / "output" / "site" / edition).glob("*.html"))


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_is_accessible_private_and_fits_a_phone(site, browser, edition):
    """Each page loaded once: on a 360 px phone nothing is wider than the screen; on a 390 x 844 phone a phone
    link is visible without scrolling and the switcher offers other languages and countries; axe-core finds no
    serious or critical violation; no request leaves the site, CSP blocks nothing of ours, nothing is missing."""
    from axe_playwright_python.sync_playwright import Axe

    root, base = site
    axe = Axe()
    problems, requests, errors, missing = [], [], [], []
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    for name in pages_of(root, edition):
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(f"{base}/{edition}/{name}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        page.set_viewport_size({"width": 390, "height": 844})
        box = page.locator("a[href^='tel:']").first.bounding_box()
        assert box and box["y"] + box["height"] <= 844, (name, box)
        assert page.locator("header .switcher a").count() >= 2, name  # the region's languages + other countries
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append((name, violation["id"], violation["impact"],
                                 [n["target"] for n in violation["nodes"]][:3]))
    page.close()
    assert problems == []
    assert all(url.startswith(base) for url in requests), [u for u in requests if not u.startswith(base)]
    assert errors == [] and missing == []  # includes the favicon: a local one, no 404
    assert any(url.endswith("/assets/favicon.svg") for url in requests)


def test_axe_does_report_a_broken_page(site, browser):
    """The check above can fail: a page with an unlabelled image and no lang is reported."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    page.set_content("<!doctype html><title>x</title><img src='x.png'>")  # the shared build stays as built
    ids = {v["id"] for v in Axe().run(page).response["violations"]}
    page.close()
    assert {"image-alt", "html-has-lang"} <= ids


def exit_context(browser, **options):
    """A browser context in which the neutral exit page answers locally (no request leaves the machine)."""
    context = browser.new_context(**options)
    context.route("https://www.google.com/**", lambda route: route.fulfill(body="neutral page"))
    return context


def test_exit_this_page_on_shift_three_times_with_a_countdown_and_no_history(site, browser):
    _, base = site
    context = exit_context(browser)
    page = context.new_page()
    page.goto(f"{base}/en-US/how-to-report.html")
    length = page.evaluate("history.length")
    page.keyboard.press("Escape")  # Escape is left to the browser (it also stops page loads)
    page.keyboard.press("Shift+A")  # Shift used for typing does not count
    page.keyboard.press("Shift")
    assert page.inner_text(".exit-status") == "Shift, press 2 more times to exit."
    page.keyboard.press("Shift")
    assert page.inner_text(".exit-status") == "Shift, press 1 more time to exit."
    assert page.url.startswith(base)
    page.keyboard.press("Shift")
    page.wait_for_url("https://www.google.com/")
    assert page.evaluate("history.length") == length  # replaced, not added
    page.go_back()
    assert not page.url.startswith(base)  # Back does not return to the site
    page.goto(f"{base}/en-US/index.html")
    page.click("#quick-exit")
    page.wait_for_url("https://www.google.com/")
    context.close()


def test_exit_countdown_expires_and_the_page_hides_at_once(site, browser):
    _, base = site
    context = exit_context(browser)
    page = context.new_page()
    page.goto(f"{base}/en-US/index.html")
    page.keyboard.press("Shift")
    page.wait_for_timeout(5600)  # the count expires after 5 s without a press
    assert page.inner_text(".exit-status") == "Exit this page expired."
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert page.url.startswith(base)  # the count started again after it expired
    # the page is hidden in the same moment the button is pressed, before the browser navigates away
    state = page.evaluate("""() => { document.getElementById('quick-exit').click();
        return [getComputedStyle(document.querySelector('main')).display,
                document.querySelector('.exit-overlay').getAttribute('role')]; }""")
    assert state == ["none", "alert"]
    page.wait_for_url("https://www.google.com/")
    context.close()


def test_exit_link_works_without_javascript(site, browser):
    _, base = site
    context = exit_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/ar-EG/index.html")
    page.click("#quick-exit")
    page.wait_for_url("https://www.google.com/")
    context.close()
