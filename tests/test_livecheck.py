"""`awareness contacts check`: the live check of contacts, against pages served on 127.0.0.1 only.

Two HTTPS sites on the loopback interface, "127.0.0.1" and "localhost" (two hosts, so a redirect from one to
the other is a redirect to another site), with a self-signed certificate trusted through SSL_CERT_FILE, and a
plain HTTP one for sources. The region file of a small project copy points every contact at them. No test
touches the internet (or resolves a name other than localhost).
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

import pytest
from conftest import mini_copy

from pipeline.contacts import livecheck
from pipeline.contacts.livecheck import Politeness, check_contacts, read_page, shows_number
from pipeline.contacts.phones import parse_phone
from pipeline.core.layout import Project

# short pauses; a timeout long enough for a loaded machine, yet short enough for the slow page to hit it
FAST = Politeness(delay=0.05, timeout=2.0, max_bytes=100_000, workers=4)
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


# --- the fixture sites ----------------------------------------------------------------------------

@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    type: str = "text/html; charset=utf-8"
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


class Site:
    """An HTTPS server on 127.0.0.1 that serves `routes` and logs every request (time, path, user agent)."""

    def __init__(self, host: str, cert: Path | None, key: Path | None):
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[float, str, str]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.log.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
                route = site.routes.get(self.path, Route(b"<p>not here</p>", 404))
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.type)
                    self.send_header("Content-Length", str(len(route.body)))
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass  # the checker stopped reading (byte cap, timeout)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.base = f"{'https' if cert else 'http'}://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def paths(self, since: int = 0) -> list[str]:
        return [path for _, path, _ in self.log[since:]]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make the test sites' certificate")
    folder = tmp_path_factory.mktemp("certs")
    return {"trusted": self_signed(folder, "awareness-test"), "other": self_signed(folder, "someone-else")}


@pytest.fixture(scope="module")
def sites(certs):
    """Site A (127.0.0.1) and site B (localhost) over HTTPS, the check trusting their certificate through
    SSL_CERT_FILE; site C (localhost, plain HTTP) for sources, which may be http://."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", str(certs["trusted"][0]))
        for name in PROXY_VARIABLES:  # the loopback must never be sent through a proxy
            patch.delenv(name, raising=False)
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")
        a, b, c = Site("127.0.0.1", *certs["trusted"]), Site("localhost", *certs["trusted"]), Site("localhost", None, None)
        yield a, b, c
        for site in (a, b, c):
            site.close()


def page(*paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>".encode()


CONTACT = """
[[contacts]]
id = "{id}"
kind = "{kind}"
name = "{name}"
description = "A service used by the tests."
status = "partly"
{fields}
"""


def make_project(root: Path, contacts: list[dict]) -> Path:
    """A copy of the small project whose GB file lists `contacts` (id, kind, and url/report_url/source/phones)."""
    root = mini_copy(root)
    shutil.rmtree(root / "source_content" / "regions")
    (root / "source_content" / "regions").mkdir()
    text = 'code = "GB"\nname = "United Kingdom"\npaper = "a4"\nlanguages = ["en"]\nemergency = "999"\n'
    for c in contacts:
        fields = [f'{key} = "{c[key]}"' for key in ("url", "report_url") if c.get(key)]
        fields.append(f'source = "{c.get("source") or c.get("url") or c.get("report_url")}"')
        if c.get("phones"):
            fields.append("phones = [" + ", ".join(f'"{p}"' for p in c["phones"]) + "]")
        text += CONTACT.format(id=c["id"], kind=c.get("kind", "child-helpline"), name=c["id"].title(),
                               fields="\n".join(fields))
    (root / "source_content" / "regions" / "gb.toml").write_text(text)
    (root / "awareness.toml").write_text('[publisher]\nname = "Test Helpline Network"\nurl = "https://ngo.example/"\n')
    return root


# --- one check of every case, shared by the tests that read it ------------------------------------

def serve_cases(a: Site, b: Site) -> list[dict]:
    big = b"<!doctype html><html><body>" + b"<p>filler text of a long page</p>" * 6000 + b"<p>0800 1111</p></body></html>"
    a.routes.update({
        "/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", type="text/plain"),
        "/present": Route(page("Childline: call free on 0800 1111, day or night.")),
        "/changed": Route(page("Crimestoppers: 0800 555 112")),
        "/split": Route(b"<p>Call <span class='a'>0808</span><span>1000</span> <b>900</b> now.</p>"),
        "/tel": Route(b'<p><a href="tel:116123">Call us free</a> any time.</p>'),
        "/home": Route(page("Welcome. We take reports.")),
        "/gone": Route(b"<p>Not found</p>", 404),
        "/broken": Route(b"<p>Oops</p>", 500),
        "/moved": Route(b"", 301, headers={"Location": f"{b.base}/report"}),
        "/old": Route(b"", 302, headers={"Location": "/present"}),
        "/slow": Route(page("0800 1111"), delay=FAST.timeout + 4),
        "/big": Route(big),
        "/leaflet.pdf": Route(b"%PDF-1.4\n% 0808 800 5000\n", type="application/pdf"),
        "/private/page": Route(page("0800 1111")),
        "/report-form": Route(b"<h1>Make a report</h1><form method=post><label>Web address <input name=url></label>"
                              b"<textarea name=details></textarea><button>Send</button></form>"),
        "/report-plain": Route(page("About us. Our history.")),
    })
    b.routes.update({
        "/robots.txt": Route(b"", 404),
        "/report": Route(b"<form><input name=url><input name=email type=email></form>"),
    })
    return [
        {"id": "present", "url": f"{a.base}/present", "phones": ["0800 1111"]},
        {"id": "changed", "url": f"{a.base}/changed", "phones": ["0800 555 111"]},
        {"id": "split", "url": f"{a.base}/split", "phones": ["0808 1000 900"]},
        {"id": "tel-only", "url": f"{a.base}/tel", "phones": ["116 123"], "kind": "crisis"},
        {"id": "gone", "kind": "report-online", "url": f"{a.base}/home", "report_url": f"{a.base}/gone"},
        {"id": "broken", "url": f"{a.base}/broken", "phones": ["0800 1111"]},
        {"id": "moved", "kind": "report-online", "url": f"{a.base}/home", "report_url": f"{a.base}/moved"},
        {"id": "same-site", "url": f"{a.base}/old", "phones": ["0800 1111"]},
        {"id": "slow", "url": f"{a.base}/slow", "phones": ["0800 1111"]},
        {"id": "big", "url": f"{a.base}/big", "phones": ["0800 1111"]},
        {"id": "pdf", "source": f"{a.base}/leaflet.pdf", "phones": ["0808 800 5000"], "kind": "adult-support"},
        {"id": "robots", "url": f"{a.base}/private/page"},
        {"id": "report-form", "kind": "report-online", "report_url": f"{a.base}/report-form"},
        {"id": "report-plain", "kind": "report-online", "report_url": f"{a.base}/report-plain"},
    ]


@pytest.fixture(scope="module")
def checked(sites, tmp_path_factory):
    """The project, the check's result, the region file's bytes before, and how long the check took."""
    a, b, _ = sites
    root = make_project(tmp_path_factory.mktemp("check") / "project", serve_cases(a, b))
    region = (root / "source_content/regions/gb.toml").read_bytes()
    started = time.monotonic()
    result = check_contacts(Project.at(root), politeness=FAST)
    return root, result, region, time.monotonic() - started


def row(checked, contact_id: str) -> dict:
    return next(r for r in checked[1].rows if r["id"] == contact_id)


def only_page(checked, contact_id: str) -> dict:
    pages = row(checked, contact_id)["pages"]
    assert len(pages) == 1, pages
    return pages[0]


def test_number_present_is_seen(checked):
    r = row(checked, "present")
    assert r["problems"] == []
    p = only_page(checked, "present")
    assert (p["status"], p["numbers_seen"], p["numbers_missing"]) == (200, ["0800 1111"], [])
    assert p["final_url"] == p["url"] and p["changed"] is None  # no earlier check to compare with


def test_number_changed_is_a_finding(checked):
    r = row(checked, "changed")
    assert only_page(checked, "changed")["numbers_missing"] == ["0800 555 111"]
    assert r["problems"] == ["0800 555 111 is not on any of its pages"]


def test_number_split_across_spans_is_seen(checked):
    assert only_page(checked, "split")["numbers_seen"] == ["0808 1000 900"]
    assert row(checked, "split")["problems"] == []


def test_number_only_in_a_tel_link_is_seen(checked):
    assert only_page(checked, "tel-only")["numbers_seen"] == ["116 123"]
    assert row(checked, "tel-only")["problems"] == []


def test_page_gone_and_server_error_are_findings(checked):
    gone = row(checked, "gone")
    report_page = next(p for p in gone["pages"] if "report_url" in p["roles"])
    assert report_page["status"] == 404
    assert any("the page is gone (HTTP 404)" in p for p in gone["problems"])
    broken = row(checked, "broken")
    assert only_page(checked, "broken")["status"] == 500
    assert any("the server failed (HTTP 500)" in p for p in broken["problems"])
    assert any("0800 1111: not looked for, none of its pages could be read" == p for p in broken["problems"])


def test_redirect_to_another_host_is_a_finding(checked, sites):
    a, b, _ = sites
    moved = row(checked, "moved")
    report_page = next(p for p in moved["pages"] if "report_url" in p["roles"])
    assert report_page["final_url"] == f"{b.base}/report" and report_page["other_site"] is True
    assert f"{a.base}/moved: the report page moved to another site: {b.base}/report" in moved["problems"]


def test_redirect_on_the_same_site_is_only_a_note(checked, sites):
    r = row(checked, "same-site")
    assert r["problems"] == []
    assert only_page(checked, "same-site")["final_url"] == f"{sites[0].base}/present"
    assert any("redirects to" in n for n in r["notes"])


def test_slow_page_times_out_as_a_finding_not_a_crash(checked):
    p = only_page(checked, "slow")
    assert p["status"] is None and f"no complete answer within {FAST.timeout:g} s" in p["error"]
    assert row(checked, "slow")["problems"][0].endswith(f"no complete answer within {FAST.timeout:g} s")


def test_oversized_page_is_cut_at_the_byte_cap(checked):
    p = only_page(checked, "big")
    assert p["truncated"] is True and p["numbers_missing"] == ["0800 1111"]  # the number is past the cap
    assert row(checked, "big")["problems"] == [
        f"0800 1111 is not on any of its pages (of {p['url']} only the first 97 KB were read)"]


def test_pdf_instead_of_html_is_not_read_and_said_so(checked):
    p = only_page(checked, "pdf")
    assert p["status"] == 200 and p["content_type"] == "application/pdf" and p["read"] is False
    assert f"{p['url']} is not a web page (application/pdf): not read; open it and look yourself" in \
        row(checked, "pdf")["problems"]


def test_robots_txt_forbidding_the_path_is_honoured(checked, sites):
    a, *_ = sites
    assert "/private/page" not in a.paths()  # never requested
    p = only_page(checked, "robots")
    assert p["status"] is None and "robots.txt of 127.0.0.1 asks tools like this one to keep away" in p["error"]
    assert row(checked, "robots")["problems"]


def test_report_page_must_look_like_one(checked):
    assert row(checked, "report-form")["problems"] == []
    assert only_page(checked, "report-form")["report_page"] == {"form": True, "words": ["Make a report"]}
    url = only_page(checked, "report-plain")["url"]
    assert row(checked, "report-plain")["problems"] == [
        f"{url} does not look like a page that takes reports (no form, no link or button that says report)"]


def test_check_is_polite_and_never_edits_region_data(checked, sites):
    root, result, region, seconds = checked
    a, b, _ = sites
    assert (root / "source_content/regions/gb.toml").read_bytes() == region
    assert a.paths().count("/robots.txt") == 1 and b.paths().count("/robots.txt") == 1
    agents = {agent for site in (a, b) for _, _, agent in site.log}
    assert agents == {result.agent}
    assert result.agent.startswith("awareness-pipeline/") and "+https://ngo.example/" in result.agent
    times = [t for t, _, _ in a.log]  # as the site sees them: the pause runs from the end of one request
    assert all(later - earlier >= FAST.delay for earlier, later in pairwise(times))
    assert seconds < 20  # hosts in parallel, short pauses: the test stays fast


def test_report_files_are_written_and_self_contained(checked):
    root, result, _, _ = checked
    rows = json.loads((root / "output/contacts-check/report.json").read_text())
    assert [r["id"] for r in rows] == [r["id"] for r in result.rows]
    for r in rows:
        assert {"region", "id", "checked_at", "pages", "problems"} <= set(r)
        assert r["verify"] == f"awareness contacts verify GB {r['id']}"
        for p in r["pages"]:
            assert {"url", "status", "final_url", "numbers_seen", "numbers_missing", "changed"} <= set(p)
    html = (root / "output/contacts-check/report.html").read_text()
    assert "default-src 'none'" in html
    for loads in ("<script", "<link", "<img", "src=", "@import", "url("):
        assert loads not in html
    assert "awareness contacts verify GB present" in html and "0800 555 111 is not on any of its pages" in html


def test_https_certificate_not_trusted_is_a_finding(sites, certs, tmp_path, monkeypatch):
    a, *_ = sites
    a.routes["/cert"] = Route(page("0800 1111"))
    root = make_project(tmp_path / "p", [{"id": "cert", "url": f"{a.base}/cert", "phones": ["0800 1111"]}])
    monkeypatch.setenv("SSL_CERT_FILE", str(certs["other"][0]))  # not the certificate the site uses
    result = check_contacts(Project.at(root), politeness=FAST)
    assert any("certificate is not trusted" in p for p in result.rows[0]["problems"])
    monkeypatch.setenv("SSL_CERT_FILE", str(certs["trusted"][0]))
    assert check_contacts(Project.at(root), politeness=FAST).rows[0]["problems"] == []


def test_page_changed_since_last_check(sites, tmp_path):
    a, *_ = sites
    a.routes["/news"] = Route(page("Call 0800 1111.", "Open every day."))
    a.routes["/about"] = Route(page("Call 0800 1111."))
    root = make_project(tmp_path / "p", [{"id": "news", "url": f"{a.base}/news", "source": f"{a.base}/about",
                                          "phones": ["0800 1111"]}])
    first = check_contacts(Project.at(root), politeness=FAST).rows[0]
    assert [p["changed"] for p in first["pages"]] == [None, None] and first["problems"] == []
    second = check_contacts(Project.at(root), politeness=FAST).rows[0]
    assert [p["changed"] for p in second["pages"]] == [False, False] and second["notes"] == []
    a.routes["/news"] = Route(page("Open every day, now also by chat."))  # the number left this page
    third = check_contacts(Project.at(root), politeness=FAST).rows[0]
    news = third["pages"][0]
    assert news["changed"] is True and news["numbers_missing"] == ["0800 1111"]
    assert any(n.startswith(f"{a.base}/news: its text changed since the check of ") for n in third["notes"])
    day = second["checked_at"][:10]
    assert third["problems"] == [f"0800 1111 is no longer on {a.base}/news (it was on {day}); still on {a.base}/about"]


def test_report_words_that_disappear_are_a_finding(sites, tmp_path):
    a, *_ = sites
    a.routes["/start"] = Route(b'<h1>Help</h1><a href="/flow">Start a report</a>')
    root = make_project(tmp_path / "p", [{"id": "flow", "kind": "report-online", "report_url": f"{a.base}/start"}])
    first = check_contacts(Project.at(root), politeness=FAST).rows[0]
    assert first["problems"] == [] and first["pages"][0]["report_page"]["words"] == ["Start a report"]
    a.routes["/start"] = Route(b"<h1>Help</h1><p>This service has closed.</p>")
    later = check_contacts(Project.at(root), politeness=FAST).rows[0]
    day = first["checked_at"][:10]
    assert later["problems"] == [f"{a.base}/start no longer shows 'Start a report' (seen on {day}) and has no form"]


def test_requests_to_one_host_wait_the_delay_between_them(sites, tmp_path):
    a, *_ = sites
    for n in range(3):
        a.routes[f"/spaced{n}"] = Route(page("0800 1111"))
    root = make_project(tmp_path / "p", [{"id": f"spaced{n}", "url": f"{a.base}/spaced{n}", "phones": ["0800 1111"]}
                                         for n in range(3)])
    since = len(a.log)
    check_contacts(Project.at(root), politeness=Politeness(delay=0.3, timeout=2, workers=4))
    times = [t for t, _, _ in a.log[since:]]
    assert len(times) == 4  # robots.txt and three pages
    assert all(later - earlier >= 0.3 for earlier, later in pairwise(times))


# --- the command ----------------------------------------------------------------------------------

@pytest.fixture
def fast_cli(monkeypatch):
    monkeypatch.setattr(livecheck, "POLITENESS", FAST)


def test_cli_json_shape_and_exit_code_for_findings(sites, tmp_path, cli, fast_cli):
    a, *_ = sites
    a.routes["/cli-ok"] = Route(page("0800 1111"))
    root = make_project(tmp_path / "p", [{"id": "ok", "url": f"{a.base}/cli-ok", "phones": ["0800 1111"]},
                                         {"id": "gone", "url": f"{a.base}/cli-gone", "phones": ["0800 1111"]}])
    result = cli(root, "contacts", "check", "--json", "--timeout", "3", code=1)
    rows = json.loads(result.stdout)
    assert [(r["region"], r["id"], bool(r["problems"])) for r in rows] == [("GB", "ok", False), ("GB", "gone", True)]
    assert set(rows[0]["pages"][0]) >= {"url", "status", "final_url", "numbers_seen", "numbers_missing", "changed"}
    text = cli(root, "contacts", "check", "gb", "--timeout", "3", code=1).output
    assert "ok   GB/ok Ok: checked" in text and "after looking yourself: awareness contacts verify GB ok" in text
    assert "FIND GB/gone" in text and "the page is gone (HTTP 404)" in text
    assert "output/contacts-check/report.html: 2 contacts, 1 all seen, 1 with findings" in text
    a.routes["/cli-ok"] = Route(page("0800 1111, every day"))
    again = cli(root, "contacts", "check", "--timeout", "3", code=1).output
    assert f"note: {a.base}/cli-ok: its text changed since the check of 20" in again


def test_cli_all_seen_exits_0_and_due_shows_the_evidence(sites, tmp_path, cli, fast_cli):
    a, *_ = sites
    a.routes["/cli-fine"] = Route(page("Call 0800 1111"))
    root = make_project(tmp_path / "p", [{"id": "fine", "url": f"{a.base}/cli-fine", "phones": ["0800 1111"]}])
    before = cli(root, "contacts", "--due").output
    assert "no live check yet (awareness contacts check)" in before
    cli(root, "stats", "--html")
    assert "not checked yet" in (root / "output/status/index.html").read_text()
    cli(root, "contacts", "check", "--timeout", "3", code=0)
    dashboard = (root / "output/status/index.html").read_text()  # refreshed by the check
    assert "not checked yet" not in dashboard and "all seen</span> (1 page, 0800 1111)" in dashboard
    due = cli(root, "contacts", "--due").output
    assert "checked 20" in due and "all seen (1 page, 0800 1111)" in due
    rows = json.loads(cli(root, "contacts", "--due", "--json").output)
    assert rows[0]["last_check"]["all_seen"] is True and rows[0]["last_check"]["pages"][0]["status"] == 200


def test_cli_usage_and_refused_report(tmp_path, cli, fast_cli):
    root = make_project(tmp_path / "p", [{"id": "x", "url": "https://127.0.0.1:9/x"}])
    result = cli(root, "contacts", "check", "ZZ", code=2)
    assert "unknown region 'ZZ'" in result.output and "Traceback" not in result.output
    assert cli(root, "contacts", "check", "--timeout", "soon", code=2)
    report = root / "output/contacts-check/report.json"
    report.parent.mkdir(parents=True)
    report.write_text("{not json")
    result = cli(root, "contacts", "--due", code=3)
    assert result.output.strip().splitlines()[-1].startswith(
        "awareness: error: output/contacts-check/report.json: not readable as a contacts check report")


def test_cli_plan_makes_no_request(tmp_path, cli):
    root = make_project(tmp_path / "p", [{"id": "a", "url": "https://127.0.0.1:9/a", "source": "https://127.0.0.1:9/b"},
                                         {"id": "b", "url": "https://localhost:9/c"}])
    out = cli(root, "contacts", "check", "--plan").output
    assert "   2  127.0.0.1" in out and "2 contacts, 3 pages on 2 hosts (5 requests" in out


def test_dashboard_shows_the_last_check(checked):
    from pipeline.edition.status import Status
    from pipeline.publish.dashboard import render_dashboard

    root = checked[0]
    html = render_dashboard(Status(), livecheck.evidence(Project.at(root)))
    assert "Contacts: the last live check" in html
    assert "GB/present Present" in html and "all seen" in html
    assert "0800 555 111 is not on any of its pages" in html


# --- the pure parts, without a server -------------------------------------------------------------

@pytest.mark.parametrize("html, found", [
    ("<p>Call 0800 1111</p>", True),
    ("<p>Call <span>0800</span><span>11</span><span>11</span></p>", True),
    ("<p>+44 (0)800 1111</p>", True),
    ("<p>0800&nbsp;1111</p>", True),
    ("<p>٠٨٠٠ ١١١١</p>", True),  # Arabic-Indic digits
    ('<a href="tel:+44-800-1111">call</a>', True),
    ("<p>0800 1112</p>", False),
    ("<p>0800 11</p><p>11 other</p>", False),  # block elements do not join
    ("<script>var n='0800 1111'</script>", False),  # not visible text
])
def test_numbers_are_found_however_they_are_written(html, found):
    assert shows_number(read_page(html.encode()), parse_phone("0800 1111", "GB")) is found


def test_short_numbers_must_be_whole():
    short = parse_phone("9-8-8", "US")
    assert shows_number(read_page(b"<p>Call or text 988</p>"), short)
    assert not shows_number(read_page(b"<p>Since 1988</p>"), short)


def test_search_box_is_not_a_report_form():
    assert not read_page(b"<form role=search><input name=q><button>Go</button></form>").form
    assert read_page(b"<form><input type=file name=shot><button>Report</button></form>").form


def test_plain_http_source_is_read(sites, tmp_path):
    a, _, c = sites
    a.routes["/with-source"] = Route(page("Call 0800 1111"))
    c.routes["/article"] = Route(page("The helpline, 0800 1111, opened in 1986."))
    root = make_project(tmp_path / "p", [{"id": "sourced", "url": f"{a.base}/with-source",
                                          "source": f"{c.base}/article", "phones": ["0800 1111"]}])
    result = check_contacts(Project.at(root), politeness=FAST).rows[0]
    assert result["problems"] == [] and [p["numbers_seen"] for p in result["pages"]] == [["0800 1111"]] * 2
    assert result["pages"][1]["url"].startswith("http://")


def test_unreadable_robots_txt_means_keep_away(sites, tmp_path):
    a, *_ = sites
    a.routes["/kept-away"] = Route(page("0800 1111"))
    root = make_project(tmp_path / "p", [{"id": "away", "url": f"{a.base}/kept-away", "phones": ["0800 1111"]}])
    saved = a.routes["/robots.txt"]
    a.routes["/robots.txt"] = Route(b"down", 503)
    try:
        since = len(a.log)
        first = check_contacts(Project.at(root), politeness=FAST).rows[0]
    finally:
        a.routes["/robots.txt"] = saved
    assert a.paths(since) == ["/robots.txt"]  # RFC 9309: a robots.txt that cannot be read forbids everything
    assert first["problems"][0].endswith("not fetched: its robots.txt could not be read (HTTP 503)")
    assert first["pages"][0]["fingerprint"] is None


def test_memory_survives_a_check_that_could_not_read_the_page(sites, tmp_path):
    a, *_ = sites
    a.routes["/flaky"] = Route(page("Call 0800 1111"))
    root = make_project(tmp_path / "p", [{"id": "flaky", "url": f"{a.base}/flaky", "phones": ["0800 1111"]}])
    first = check_contacts(Project.at(root), politeness=FAST).rows[0]
    a.routes["/flaky"] = Route(b"busy", 503)
    failed = check_contacts(Project.at(root), politeness=FAST).rows[0]
    assert failed["pages"][0]["last_read"]["fingerprint"] == first["pages"][0]["fingerprint"]
    a.routes["/flaky"] = Route(page("Call 0800 1111 any time"))
    back = check_contacts(Project.at(root), politeness=FAST).rows[0]
    assert back["pages"][0]["changed"] is True and back["problems"] == []
    assert f"its text changed since the check of {first['checked_at'][:10]}" in back["notes"][0]


def test_dashboard_says_when_the_report_is_damaged(tmp_path):
    from pipeline.edition.status import Status
    from pipeline.publish.dashboard import write_dashboard

    root = make_project(tmp_path / "p", [{"id": "x", "url": "https://127.0.0.1:9/x", "phones": ["0800 1111"]}])
    report = root / "output/contacts-check/report.json"
    report.parent.mkdir(parents=True)
    report.write_text("[1, 2]")
    html = write_dashboard(Project.at(root), Status()).read_text()
    assert "output/contacts-check/report.json: not a contacts check report" in html


def test_user_agent_is_ascii_and_names_the_publisher():
    agent = livecheck.user_agent("Réseau Enfance – Écoute", "https://reseau.example/")
    assert agent.isascii() and "Reseau Enfance" in agent and "+https://reseau.example/" in agent


def test_broken_redirects_are_findings_not_crashes(sites, tmp_path):
    a, *_ = sites
    a.routes["/to-mail"] = Route(b"", 302, headers={"Location": "mailto:help@example.org"})
    a.routes["/to-ftp"] = Route(b"", 302, headers={"Location": "ftp://files.example.org/leaflet.pdf"})
    a.routes["/to-nowhere"] = Route(b"", 302, headers={"Location": "https://127.0.0.1:99999/"})  # no such port
    a.routes["/loop"] = Route(b"", 302, headers={"Location": "/loop"})
    root = make_project(tmp_path / "p", [{"id": n, "url": f"{a.base}/{n}"} for n in ("to-mail", "to-ftp", "to-nowhere",
                                                                                      "loop")])
    rows = {r["id"]: r for r in check_contacts(Project.at(root), politeness=FAST).rows}
    assert "an address on the way is not a valid web address" in rows["to-mail"]["problems"][0]
    assert rows["to-ftp"]["problems"][0].endswith(
        "redirects to ftp://files.example.org/leaflet.pdf, which is not a web address")
    assert rows["to-nowhere"]["problems"][0].startswith(f"{a.base}/to-nowhere: not fetched: its robots.txt could not")
    assert rows["loop"]["problems"][0].endswith("more than 5 redirects")
