"""`awareness.toml`: defaults when it is missing or silent, every value reaching `Settings`, and a file with
problems refused as a whole: one compiler-style line per problem naming awareness.toml and the line."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from conftest import REPO, tree_bytes

from pipeline.core.constants import LEAFLET_FORMATS
from pipeline.core.errors import EXIT_REFUSED, InputRefused
from pipeline.core.layout import Project
from pipeline.core.settings import DEFAULT_EXIT_URL, Settings, load_settings


def settings_of(root: Path, text: str) -> Settings:
    (root / "awareness.toml").write_text(text, encoding="utf-8")
    return load_settings(Project.at(root))


def refused(root: Path, text: str) -> InputRefused:
    with pytest.raises(InputRefused) as caught:
        settings_of(root, text)
    return caught.value


def test_without_a_settings_file_every_default_applies(tmp_path):
    settings = load_settings(Project.at(tmp_path))
    assert settings == Settings()
    assert (settings.publisher, settings.quick_exit_url, settings.paper) == ("Awareness Pipeline", DEFAULT_EXIT_URL, "")
    assert settings.formats == LEAFLET_FORMATS and settings.discreet_card and not settings.crop_marks
    assert (settings.primary, settings.accent) == ("#123c69", "#a3121f")


def test_a_section_or_key_left_out_keeps_its_default(tmp_path):
    settings = settings_of(tmp_path, '[publisher]\nname = "Fundación Ejemplo"\n\n[leaflet]\n')
    assert settings == Settings(publisher="Fundación Ejemplo")


def test_every_key_reaches_the_settings(tmp_path):
    (tmp_path / "source_content").mkdir()
    (tmp_path / "source_content" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    settings = settings_of(tmp_path, """\
[publisher]
name = "NGO"
url = "https://ngo.example.org/"
logo = "source_content/logo.svg"
colours = { primary = "#0b6e4f", accent = "#8a1538" }

[site]
base_url = "https://help.example.org/"
quick_exit_url = "https://www.bbc.co.uk/weather"

[leaflet]
paper = "letter"
crop_marks = true
formats = ["sheet", "card"]
large_print = true
discreet_card = false

[links]
twins = { "cybertip.ca" = ["cyberaide.ca"] }
""")
    assert settings == Settings(
        publisher="NGO", publisher_url="https://ngo.example.org/", logo="source_content/logo.svg",
        primary="#0b6e4f", accent="#8a1538", base_url="https://help.example.org/",
        quick_exit_url="https://www.bbc.co.uk/weather", paper="letter", crop_marks=True, formats=("sheet", "card"),
        large_print=True, discreet_card=False, link_twins={"cybertip.ca": ["cyberaide.ca"]})


def test_the_shipped_settings_file_loads_as_written():
    settings = load_settings(Project.at(REPO))
    data = tomllib.loads((REPO / "awareness.toml").read_text(encoding="utf-8"))
    assert settings.publisher == data["publisher"]["name"]
    assert settings.link_twins == data.get("links", {}).get("twins", {})


# (file text, the one problem line load_settings must report)
ONE_PROBLEM = [
    ('[leaflet]\ncrop_marks = "yes"\n', "awareness.toml:2: error[settings]: leaflet.crop_marks: must be true or false"),
    ('[publisher]\n# the name\nname = 5\n', "awareness.toml:3: error[settings]: publisher.name: must be text"),
    ('[leaflet]\n\nformats = "sheet"\n', "awareness.toml:3: error[settings]: leaflet.formats: must be list"),
    ('[site]\nexit_url = "https://x.org/"\n',
     "awareness.toml:2: error[settings]: site.exit_url: unknown key (known: base_url, quick_exit_url)"),
    ('[leaflet]\npaper = "a4"\n\n[print]\npaper = "a4"\n',
     "awareness.toml:4: error[settings]: unknown section [print] (known: publisher, site, leaflet, links)"),
    ('[site]\nquick_exit_url = "http://example.org/"\n',
     "awareness.toml:2: error[settings]: site.quick_exit_url: must be an https:// URL, got 'http://example.org/'"),
    ('[leaflet]\npaper = "a5"\n',
     "awareness.toml:2: error[settings]: leaflet.paper: must be \"a4\" or \"letter\", got 'a5'"),
    ('[leaflet]\nformats = ["sheet", "leporello"]\n', ("awareness.toml:2: error[settings]: leaflet.formats: must "
                                                     "list some of sheet, trifold, card, card-sheet, poster, got "
                                                     "['sheet', 'leporello']")),
    ('[leaflet]\nformats = []\n', ("awareness.toml:2: error[settings]: leaflet.formats: must list some of sheet, "
                                  "trifold, card, card-sheet, poster, got []")),
    ('[publisher]\ncolours = { primary = "#123c69", text = "#000000" }\n',
     "awareness.toml:2: error[settings]: publisher.colours.text: unknown colour (known: primary, accent)"),
    ('[publisher.colours]\nprimary = "navy"\n',
     "awareness.toml:2: error[settings]: publisher.colours.primary: must be a colour like \"#123c69\", got 'navy'"),
    ('[links]\ntwins = { "cybertip.ca" = "cyberaide.ca" }\n',
     "awareness.toml:2: error[settings]: links.twins: 'cybertip.ca' must map to a list of host names"),
    ('[publisher]\nlogo = "../logo.svg"\n',
     "awareness.toml:2: error[settings]: publisher.logo: '../logo.svg' must be a file inside the project"),
    # a key of the same name in an earlier section does not take the line
    ('[publisher]\nurl = "https://ngo.example.org/"\n\n[site]\nurl = "https://help.example.org/"\n',
     "awareness.toml:5: error[settings]: site.url: unknown key (known: base_url, quick_exit_url)"),
    ('# settings\n\npublisher = "Me"\n',
     "awareness.toml:3: error[settings]: publisher: must be a table: a line [publisher], then its keys"),
]


@pytest.mark.parametrize("text, line", ONE_PROBLEM, ids=[line.split(": ")[2].split(":")[0] for _, line in ONE_PROBLEM])
def test_a_wrong_value_is_one_line_naming_the_file_and_line(tmp_path, text, line):
    (tmp_path / "logo.svg").write_text("<svg/>", encoding="utf-8")  # outside the project root below
    root = tmp_path / "project"
    root.mkdir()
    error = refused(root, text)
    assert [str(p) for p in error.problems] == [line]
    assert str(error) == "awareness.toml: settings refused: 1 problem"
    assert error.exit_code == EXIT_REFUSED


@pytest.mark.parametrize("key, colour, against", [("primary", "#6fa8dc", "its light tint"),
                                                  ("accent", "#ff9900", "white")])
def test_a_colour_too_light_for_text_is_refused_with_its_contrast(tmp_path, key, colour, against):
    error = refused(tmp_path, f'[publisher]\ncolours = {{ {key} = "{colour}" }}\n')
    [problem] = error.problems
    assert problem.line == 2 and problem.message.startswith(f"publisher.colours.{key}: '{colour}' is too light")
    assert f"with {against}, WCAG AA asks 4.5:1" in problem.message


def test_the_darkest_colour_that_passes_is_accepted(tmp_path):
    # #767676 is the lightest grey with 4.5:1 against white (4.54:1); #777777 has 4.48:1
    assert settings_of(tmp_path, '[publisher]\ncolours = { accent = "#767676" }\n').accent == "#767676"
    assert "too light" in refused(tmp_path, '[publisher]\ncolours = { accent = "#777777" }\n').problems[0].message


def test_every_problem_of_the_file_is_listed_at_once(tmp_path):
    error = refused(tmp_path, """\
[publisher]
name = "NGO"
url = "ftp://ngo.example.org/"

[site]
quick_exit_url = 1

[leaflet]
crop_marks = "no"
paper = "A4"
""")
    assert sorted((p.line, p.message.split(":")[0]) for p in error.problems) == [
        (3, "publisher.url"), (6, "site.quick_exit_url"), (9, "leaflet.crop_marks"), (10, "leaflet.paper")]
    assert str(error) == "awareness.toml: settings refused: 4 problems"


def test_a_toml_syntax_error_names_the_line(tmp_path):
    error = refused(tmp_path, '[publisher]\nname = "NGO"\nurl = https://ngo.example.org/\n')
    assert error.path == "awareness.toml" and error.line == 3
    assert str(error).startswith("awareness.toml:3: not valid TOML")


def test_bad_settings_stop_the_build_with_exit_3_and_nothing_written(mini, cli):
    settings = mini / "awareness.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("crop_marks = false", "crop_marks = 0"),
                        encoding="utf-8")
    lines = settings.read_text(encoding="utf-8").split("\n")
    line = next(number for number, text in enumerate(lines, 1) if text.startswith("crop_marks = 0"))
    before = tree_bytes(mini)
    result = cli(mini, "build", "--edition", "en-GB", "--format", "html", code=EXIT_REFUSED)
    assert result.stderr.splitlines() == [
        f"awareness.toml:{line}: error[settings]: leaflet.crop_marks: must be true or false",
        "awareness: error: awareness.toml: settings refused: 1 problem"]
    assert "Traceback" not in result.output and result.stdout == ""
    assert tree_bytes(mini) == before and not (mini / "output").exists()
