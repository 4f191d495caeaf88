"""Every reader gets a true answer: read as a parent, a teenager or a child would, on every page and every print
format of every edition (the HTML each format is printed from; no PDF is rendered here), the routes fit who is
asking, every label and caption matches the region data, and no interpolated slot comes out empty."""

from __future__ import annotations

import dataclasses
import html as htmllib
import re
from functools import lru_cache

import pytest
from conftest import REPO

from pipeline.contacts.needs import PREVENTION_KIND, coverage, needs_of
from pipeline.core.layout import Project
from pipeline.edition.view import BuildInputs, EditionView, load_inputs, prepare
from pipeline.publish.leaflets import FORMATS, help_routes, leaflet_html
from pipeline.publish.site import render_site
from pipeline.render.render_html import address_html

PROJECT = Project.at(REPO)


@lru_cache(maxsize=1)
def inputs() -> BuildInputs:
    return load_inputs(PROJECT)[0]


@lru_cache(maxsize=None)
def view(edition_id: str) -> EditionView:
    edition = next(e for e in inputs().editions if e.id == edition_id)
    return prepare(inputs(), edition)


@lru_cache(maxsize=None)
def outputs(edition_id: str) -> dict[str, str]:
    """page or format -> the HTML a reader gets (pages) or WeasyPrint prints (formats)."""
    v = view(edition_id)
    found = {name: data.decode("utf-8") for name, data in render_site(v).items()}
    for fmt in FORMATS:
        found[fmt] = leaflet_html(v, fmt)[0]
    return found


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|svg|title)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<wbr>|<span class="nowrap">|</span>(?=<wbr>|</bdi>)', "", html)  # an address is one word
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", html))
    return " ".join(re.sub("[\u202a-\u202e\u2066-\u2069]", "", text).split())


EDITIONS = [e.id for e in inputs().editions]
# a slot filled with nothing leaves one of these behind
EMPTY_ELEMENT = re.compile(r"<(bdi|span|strong|dd|dt|a|p|li|figcaption)\b[^>]*>\s*</\1>")
EMPTY_TEXT = [re.compile(p) for p in (
    r"\(\s*\)", r"·\s*·", r"·\s*[:)\]]", r"[(:]\s*·", r"(^|\s)·\s*$", r"\bNone\b", r"\{[a-z_]+\}", r"%\([a-z_]+\)",
    r"\b[Tt]ext\s+to\b", r"\bcall\s+[.,]", r":\s*:", r":\s*$")]


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_interpolation_comes_out_empty(edition):
    for name, html in outputs(edition).items():
        body = html.split("<body", 1)[-1]
        element = EMPTY_ELEMENT.search(body)
        assert element is None, (edition, name, body[max(0, element.start() - 200): element.end() + 50])
        text = visible_text(body)
        for pattern in EMPTY_TEXT:
            found = pattern.search(text)
            assert found is None, (edition, name, pattern.pattern, text[max(0, found.start() - 80): found.end() + 80])


def label_of(v: EditionView, contact) -> str:
    scope = v.view_of(contact)
    return f"({scope['home_name']})" if scope["scope"] == "abroad" else f"({v.t(None, 'international')})"


def number_anchor(name: str, row: dict) -> str:
    """Where a key number or address is printed: the print formats' slot, the site's help-now link."""
    shown = row["shown"]
    if name.endswith(".html"):
        return f'<bdi dir="ltr">{shown}</bdi></a>'
    return f'class="number">{shown}</bdi>' if row["tel"] else f'class="number address">{address_html(shown)}</bdi>'


def nearby(html: str, anchor: str, width: int = 400) -> str:
    at = html.index(anchor)
    return visible_text(html[at: at + width])


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_foreign_route_carries_its_label_on_every_format(edition):
    v = view(edition)
    out = outputs(edition)
    checked = 0
    for row in v.key_contacts():  # site "help now", sheet, tri-fold, card and poster
        if not row["fallback"]:
            continue
        label = f"({row['home_name']})" if row["scope"] == "abroad" else f"({v.t(None, 'international')})"
        for name in ("index.html", "sheet", "trifold", "card", "poster"):
            html = out[name]
            anchor = number_anchor(name, row)
            assert anchor in html, (edition, name, row["shown"])
            assert label in nearby(html, anchor), (edition, name, row["shown"], label)
            checked += 1
    for item in help_routes(v):  # "Where to get help" on the sheet and tri-fold
        for c in item["routes"]:
            if c["fallback"]:
                label = f"({c['home_name']})" if c["scope"] == "abroad" else f"({v.t(None, 'international')})"
                for name in ("sheet", "trifold"):
                    assert label in nearby(out[name], f'<p class="service">{htmllib.escape(c["name"])}', 300), (
                        edition, name, c["name"])
                    checked += 1
    for contact in v.national + v.international:  # the contacts page
        if v.view_of(contact)["fallback"]:
            assert label_of(v, contact) in nearby(out["contacts.html"], f"<h3>{htmllib.escape(contact.name_for(v.edition.language))}", 200)
            checked += 1
    assert checked or not any(r.fallback for routes in v.routes.values() for r in routes), edition


def test_labels_match_where_a_service_is_run_from():
    eg, us = view("en-EG"), view("en-US")
    report = next(r for r in eg.key_contacts() if r["need"] == "report")
    assert report["scope"] == "abroad" and report["home_name"] == "United States"  # NCMEC: a US service
    assert "(international)" not in nearby(outputs("en-EG")["card"], number_anchor("card", report))
    # Take It Down is NCMEC's: national on US editions (no label, among the US services), abroad elsewhere
    us_removal = us.routes["removal"]
    assert [r.contact.id for r in us_removal] == ["take-it-down"] and not us_removal[0].fallback
    contacts = outputs("en-US")["contacts.html"]
    assert contacts.index("Take It Down") < contacts.index("International services")
    assert "Take It Down (" not in visible_text(contacts)


def caption(edition: str, v: EditionView | None = None) -> str:
    html = leaflet_html(v or view(edition), "sheet")[0]
    return visible_text(re.search(r"<figcaption>.*?</figcaption>", html, re.S).group(0))


def test_qr_caption_national_report_page():
    text = caption("en-GB")
    assert text.startswith("Scan to report online") and text.endswith("iwf.org.uk/report") or "report" in text
    assert "international" not in text and "no national" not in text and "still being checked" not in text


def test_qr_caption_service_abroad_that_takes_reports_from_the_region():
    text = caption("en-EG")
    assert "Scan to report online" in text
    assert "NCMEC CyberTipline (United States) takes reports from Egypt." in text
    assert "no national hotline" not in text and "international service" not in text


def test_qr_caption_directory_with_a_national_portal_still_being_checked():
    v = view("en-KE")
    assert v.report_url == "https://www.inhope.org/EN/our-members"
    text = caption("en-KE")
    assert text.startswith("Scan to find where to report")  # a list of hotlines is not a report form
    assert "The code opens a list of national hotlines (INHOPE): choose Kenya there." in text
    # the data lists Kenya's IWF portal without its address: never "Kenya has no national hotline"
    assert "The address of the national reporting service for Kenya is still being checked." in text
    assert "no national" not in text


def with_regions(edition: str, change) -> EditionView:
    """The edition prepared from changed region data (no file is touched)."""
    base = inputs()
    regions = dict(base.regions)
    change(regions)
    changed = BuildInputs(base.project, base.settings, regions, base.today, base.editions)
    return prepare(changed, next(e for e in base.editions if e.id == edition))


def test_qr_caption_directory_without_a_national_service_says_nothing_about_one():
    def drop_portal(regions):
        ke = regions["KE"]
        regions["KE"] = dataclasses.replace(ke, contacts=tuple(c for c in ke.contacts if c.kind != "report-online"))

    text = caption("en-KE", with_regions("en-KE", drop_portal))
    assert "choose Kenya there" in text and "still being checked" not in text and "no national" not in text


def test_qr_caption_international_service():
    def report_form_abroad(regions):
        ke, intl = regions["KE"], regions["INT"]
        regions["KE"] = dataclasses.replace(ke, contacts=tuple(c for c in ke.contacts if c.kind != "report-online"))
        regions["INT"] = dataclasses.replace(intl, contacts=tuple(
            dataclasses.replace(c, directory=False) if c.id == "inhope" else c for c in intl.contacts))

    text = caption("en-KE", with_regions("en-KE", report_form_abroad))
    assert text.startswith("Scan to report online") and "INHOPE is an international service." in text


@pytest.mark.parametrize("edition", EDITIONS)
def test_young_people_never_see_a_prevention_service(edition):
    v = view(edition)
    page = visible_text(outputs(edition)["for-young-people.html"])
    prevention = [c for c in v.national + v.international if "prevention" in needs_of(c)]
    for contact in prevention:
        assert contact.name_for(v.edition.language) not in page, (edition, contact.id)


@pytest.mark.parametrize("code", sorted(c for c in inputs().regions if c != "INT"))
def test_a_worried_adult_is_never_sent_only_to_a_prevention_service(code):
    regions = inputs().regions
    routes = coverage(regions[code], regions["INT"])
    adult = [r.contact for r in routes["adult"]]
    assert not adult or any(c.kind != PREVENTION_KIND for c in adult), code
    assert all(c.kind == PREVENTION_KIND or "prevention" in c.needs for c in
               (r.contact for r in routes["prevention"])), code


def test_a_line_that_is_not_open_all_day_shows_its_hours_on_every_format():
    v = view("de-DE")
    child = next(r for r in v.key_contacts() if r["need"] == "child")
    assert child["id"] == "nummer-gegen-kummer" and child["hours"]  # no 24-hour child line in Germany
    for name in ("index.html", "sheet", "trifold", "card", "poster"):
        assert child["hours"] in nearby(outputs("de-DE")[name], number_anchor(name, child)), name
    # a 24-hour line is preferred where a need has one (en-GB: Childline, 24 hours), and shows no hours
    gb = next(r for r in view("en-GB").key_contacts() if r["need"] == "child")
    assert gb["all_day"] and gb["hours"] is None


def test_hours_under_a_report_route_are_the_phones():
    out = outputs("en-CA")
    for name in ("sheet", "trifold"):
        line = nearby(out[name], '<p class="service">Cybertip.ca', 400)
        assert "cybertip.ca/en/report" in line and "Phone hours: Monday to Friday" in line, line
    report = next(r for r in view("en-CA").key_contacts() if r["need"] == "report")
    assert report["hours"] is None  # the card's report row is a web address: it has no hours


def test_text_lines_without_keyword_and_per_language_keywords():
    au = visible_text(outputs("en-AU")["sheet"])
    assert "Text 0477 13 11 14" in au and "text to" not in au.lower()
    assert 'href="sms:686868?body=TEXTO"' in outputs("fr-CA")["contacts.html"]
    assert 'href="sms:686868?body=CONNECT"' in outputs("en-CA")["contacts.html"]
