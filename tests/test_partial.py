"""A partial build is a site: every internal link of output/site/ resolves, leaflets included, after
`build --edition es-ES`; the folder can be uploaded as it is."""

from __future__ import annotations

import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit
from xml.etree import ElementTree as ET

import pytest
from conftest import Cli, built_copy


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def internal_links(site: Path) -> list[tuple[Path, str]]:
    out = []
    for page in sorted(site.rglob("*.html")):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.found:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("#") or link.startswith("//"):
                continue
            out.append((page, urldefrag(link)[0]))
    return out


@pytest.fixture(scope="module")
def partial(tmp_path_factory) -> Path:
    """The real project after `build --edition es-ES --format html,sheet`; read-only to tests."""
    root, _ = built_copy(tmp_path_factory.mktemp("partial") / "p", "html,sheet", ["es-ES"])
    return root


@pytest.fixture(scope="module")
def both(partial, tmp_path_factory) -> Path:
    """A copy of `partial` after `build --edition en-ES --format html`: the region's other edition added, which
    relinks es-ES's pages; read-only to tests."""
    root = shutil.copytree(partial, tmp_path_factory.mktemp("both") / "p")
    Cli()(root, "build", "--edition", "en-ES", "--format", "html")
    return root


def test_after_a_partial_build_every_internal_link_resolves(partial, both):
    root = partial
    site = root / "output" / "site"
    links = internal_links(site)
    assert len(links) > 100
    broken = [(p.relative_to(site).as_posix(), link) for p, link in links if not (p.parent / link).resolve().exists()]
    assert broken == [], broken[:10]
    # the switcher, the choosers and the sitemap name only the edition that was built
    page = (site / "es-ES" / "index.html").read_text()
    assert "../en-ES/index.html" not in page and 'href="../leaflets/es-ES.pdf"' in page
    assert "trifold" not in page  # a format not built is not offered
    assert sorted(p.name for p in (site / "choose").iterdir()) == ["en.html", "es.html"]
    locs = {e.text.split("/")[0] for e in ET.parse(site / "sitemap.xml").iter()
            if e.tag.endswith("}loc")}
    assert locs == {"es-ES"}
    assert (site / "leaflets" / "es-ES.pdf").is_file() and not (root / "output" / "leaflets").exists()
    # building the other edition of the region links the two
    site = both / "output" / "site"
    page = (site / "es-ES" / "index.html").read_text()
    assert 'href="../en-ES/index.html"' in page
    assert not [l for p, l in internal_links(site) if not (p.parent / l).resolve().exists()]


def test_bundle_one_edition(both, tmp_path):
    root = shutil.copytree(both, tmp_path / "p")  # bundle writes into output/
    cli = Cli()
    result = cli(root, "bundle", "--include-drafts", "--edition", "es-ES", "--out", str(tmp_path / "es.zip"))
    names = zipfile.ZipFile(tmp_path / "es.zip").namelist()
    assert any("/site/es-ES/index.html" in n for n in names) and not any("/site/en-ES/" in n for n in names)
    assert "1 editions" in result.output
    # es-ES's pages and the choosers link en-ES, which this archive leaves out: said, not shipped silently
    assert "warning[links]" in result.output and "-> ../en-ES/index.html" in result.output, result.output
    result = cli(root, "bundle", "--include-drafts", "--out", str(tmp_path / "both.zip"))
    assert "2 editions" in result.output and "warning[links]" not in result.output, result.output
    result = cli(root, "bundle", "--include-drafts", "--edition", "fr-FR", code=2)
    assert "edition fr-FR has not been built" in result.output
