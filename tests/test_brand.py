"""The publisher's brand reaches every output: colours and logo on the site (stylesheet, favicon, header),
the publisher's web address on the site and the leaflets."""

from __future__ import annotations

import re

from pipeline.core.layout import Project
from pipeline.edition.view import edition_view
from pipeline.publish.leaflets import leaflet_html

LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 20"><rect width="40" height="20" fill="#0b6e4f"/>'
        '<text x="4" y="14" font-size="10" fill="#fff">NGO</text></svg>')


def brand(root):
    (root / "source_content" / "logo.svg").write_text(LOGO, encoding="utf-8")
    settings = root / "awareness.toml"
    text = settings.read_text(encoding="utf-8").replace('[publisher]\nname = "Awareness Pipeline Project"', (
        '[publisher]\nname = "Fundación Ejemplo"\nurl = "https://ngo.example.org/ayuda"\n'
        'logo = "source_content/logo.svg"\ncolours = { primary = "#0b6e4f", accent = "#8a1538" }'))
    assert "Fundación Ejemplo" in text
    settings.write_text(text, encoding="utf-8")


def test_colours_logo_and_address_reach_the_site(mini, cli):
    brand(mini)
    cli(mini, "build", "--format", "html")
    site = mini / "output" / "site"
    css = (site / "assets" / "site.css").read_text()
    assert "--brand: #0b6e4f" in css and "--alert: #8a1538" in css and "#123c69" not in css.lower()
    assert 'fill="#0b6e4f"' in (site / "assets" / "favicon.svg").read_text()
    assert (site / "assets" / "logo.svg").read_text() == LOGO
    page = (site / "en-GB" / "index.html").read_text()
    assert re.search(r'<a class="home" href="index.html"><img class="logo" src="\.\./assets/logo\.svg"', page)
    assert '<a href="https://ngo.example.org/ayuda" rel="noreferrer">Fundación Ejemplo</a>' in page
    # a new logo is a new build input: the site is redone
    (mini / "source_content" / "logo.svg").write_text(LOGO.replace("NGO", "ONG"), encoding="utf-8")
    cli(mini, "build", "--format", "html")
    assert "ONG" in (site / "assets" / "logo.svg").read_text()


def test_the_publishers_address_is_printed_on_the_leaflets(mini):
    brand(mini)
    html = leaflet_html(edition_view(Project.at(mini), "en-GB"), "sheet")[0]
    assert "ngo.example.org/ayuda" in html and "Fundación Ejemplo" in html
