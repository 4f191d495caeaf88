"""The site's HTML, built without WeasyPrint (fast): help first, tel links that dial what they show,
pages that do not grow with the number of editions, the sitemap and the choosers."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from pipeline.contacts.phones import dials_as_printed

TEL = re.compile(r'<a class="tel" href="tel:([^"]+)"><bdi dir="ltr">([^<]+)</bdi></a>|'
                 r'<a href="tel:([^"]+)"><bdi dir="ltr">([^<]+)</bdi></a>')


@pytest.fixture
def site(shared_build):
    """The site of every edition, from the test run's one build of the real project (conftest), which also
    proves that an HTML build never imports WeasyPrint."""
    return shared_build / "output" / "site"


def test_every_tel_link_dials_what_the_page_shows(site):
    checked = 0
    for page in site.glob("*-*/*.html"):
        region = page.parent.name.split("-")[1]
        for match in TEL.finditer(page.read_text(encoding="utf-8")):
            tel, shown = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            assert dials_as_printed(shown, tel, region), (page, shown, tel)
            checked += 1
    assert checked > 500


@pytest.mark.parametrize("edition, shown, tel", [("en-AU", "000", "000"), ("es-ES", "017", "017"),
                                                 ("es-MX", "088", "088"), ("en-ES", "024", "024"),
                                                 ("en-GB", "0808 1000 900", "+448081000900"),
                                                 ("en-AU", "1800 55 1800", "+611800551800"),
                                                 ("en-CA", "9-8-8", "988"), ("en-US", "1-800-843-5678", "+18008435678")])
def test_numbers_are_printed_as_published_and_keep_their_zeros(site, edition, shown, tel):
    html = (site / edition / "contacts.html").read_text(encoding="utf-8") + \
        (site / edition / "index.html").read_text(encoding="utf-8")
    assert f'href="tel:{tel}"><bdi dir="ltr">{shown}</bdi>' in html


def test_text_lines_open_the_messages_app_with_the_keyword(site):
    html = (site / "en-CA" / "contacts.html").read_text(encoding="utf-8")
    assert '<a href="sms:686868?body=CONNECT">Text CONNECT to <bdi dir="ltr">686868</bdi></a>' in html
    assert "Call or text: <a href=\"tel:988\"><bdi dir=\"ltr\">9-8-8</bdi></a>" in html


def test_every_page_puts_help_first(site):
    for page in site.glob("*-*/*.html"):
        html = page.read_text(encoding="utf-8")
        help_at, main_at = html.index('class="help-now"'), html.index('<main id="content">')
        assert help_at < main_at, page
        assert 'href="tel:' in html[help_at:main_at], page  # the emergency number at least


def test_page_size_does_not_grow_with_the_number_of_editions(site):
    biggest = max(len(p.read_bytes()) for p in site.glob("*-*/*.html"))
    assert biggest < 30_000
    for page in site.glob("en-GB/*.html"):
        html = page.read_text(encoding="utf-8")
        assert "en-US" not in html and "ja-JP" not in html, page.name  # only its own region's languages


def test_sitemap_lists_every_page_with_its_language_versions(site):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob("*-*/*.html") if not p.parent.name.startswith("qps"))
    assert sorted(re.findall(r"<loc>([^<]+)</loc>", sitemap)) == pages
    entry = re.search(r"<url>\s*<loc>fr-CA/index.html</loc>(.*?)</url>", sitemap, re.S).group(1)
    assert re.findall(r'hreflang="([^"]+)"', entry) == ["en-CA", "fr-CA", "x-default"]


def test_choosers_name_regions_in_the_readers_language_sorted_by_name(site):
    french = (site / "choose" / "fr.html").read_text(encoding="utf-8")
    names = re.findall(r'<span class="region-name">([^<]+)</span>', french)
    assert "Allemagne" in names and "Royaume-Uni" in names and "Égypte" in names
    assert names.index("Égypte") < names.index("Espagne") < names.index("États-Unis")  # accents aside
    assert '<a href="../fr-CA/index.html" hreflang="fr-CA" lang="fr-CA">Français</a>' in french
    assert (site / "index.html").read_text(encoding="utf-8").count('class="region-name"') == len(names)


def test_pages_stay_the_same_size_when_every_region_gets_every_language(tmp_path):
    """Every region in ten languages (over 150 editions, all linked as a full build links them): each page of
    one edition per region, rendered as the build renders it, stays within 1.2 times the same page today."""
    import tomlkit
    from conftest import copy_project

    from pipeline.core.layout import Project
    from pipeline.edition.view import load_inputs, prepare
    from pipeline.publish.site import render_site, shared_files

    root = copy_project(tmp_path / "all")
    every = ["en", "es", "fr", "de", "ar", "hi", "pl", "uk", "ja", "sw"]
    for path in (root / "source_content" / "regions").glob("*.toml"):
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
        if document["code"] != "INT":
            document["languages"] = every
            path.write_text(tomlkit.dumps(document), encoding="utf-8")
    today, big = load_inputs(Project.at(REPO))[0], load_inputs(Project.at(root))[0]
    assert len(big.editions) >= 150 and big.site_editions == big.editions
    by_id = {e.id: e for e in big.editions}
    sample = list({e.region: e for e in reversed(today.editions)}.values())  # one edition a region
    compared = 0
    for edition in sample:
        now, then = render_site(prepare(today, edition)), render_site(prepare(big, by_id[edition.id]))
        for name, page in now.items():
            assert len(then[name]) <= 1.2 * len(page), (edition.id, name, len(then[name]), len(page))
            compared += 1
    assert compared > 80
    index = next(data for path, data in shared_files(big).items() if path == big.project.site / "index.html")
    assert len(index) < 40_000  # the chooser lists regions, not every page


def test_the_sitemap_is_well_formed_xml_whatever_the_base_url():
    import dataclasses
    from xml.etree import ElementTree as ET

    from conftest import REPO

    from pipeline.core.layout import Project
    from pipeline.edition.view import load_inputs
    from pipeline.publish.site import sitemap

    inputs, _ = load_inputs(Project.at(REPO))
    inputs.settings = dataclasses.replace(inputs.settings, base_url="https://help.example.org/a?x=1&y=<2>")
    root = ET.fromstring(sitemap(inputs).encode("utf-8"))
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs[0] == "https://help.example.org/a?x=1&y=<2>/en-AU/index.html"
