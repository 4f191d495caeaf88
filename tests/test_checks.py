"""The check registry, one check at a time, on hand-made entries (no files, no subprocess)."""

from __future__ import annotations

import polib
import pytest

from pipeline.catalog.checks import REGISTRY, CheckContext, check_entry, check_numbers
from pipeline.catalog.glossary import Glossary, Term


def ctx(**kw) -> CheckContext:
    glossary = Glossary("fr", (Term("child pornography", "pédopornographie", "forbidden", "use CSAM", 2),))
    return CheckContext(locale="fr", glossary=glossary, english_discouraged=("child pornography",),
                        twins={"cybertip.ca": frozenset({"cyberaide.ca"})}, nplurals=2, **kw)


def found(msgid: str, msgstr: str, *, comment: str = "", context: CheckContext | None = None, **entry) -> set[str]:
    e = polib.POEntry(msgid=msgid, msgstr=msgstr, comment=comment, **entry)
    return {f"{i.severity}[{i.check}]" for i in check_entry(e, context or ctx(), "x.po")}


def test_registry_has_the_documented_checks():
    assert [c.name for c in REGISTRY] == ["placeholders", "markup", "safety", "numbers", "terminology", "length",
                                          "plurals", "english", "untranslated", "fuzzy"]


@pytest.mark.parametrize("msgid, msgstr, expected", [
    ("Call {emergency_number}.", "Appelez le {emergency_number}.", set()),
    ("Call {emergency_number}.", "Appelez le numéro d'urgence.", {"error[placeholders]"}),
    ("Call {emergency_number}.", "Appelez {numero_urgence}.", {"error[placeholders]"}),
    ("Call %(number)s.", "Appelez le %(nombre)s.", {"error[placeholders]"}),
    ("Contact {crisis_line} or {emergency_number}.", "{emergency_number} ou {crisis_line}.", set()),
])
def test_placeholders(msgid, msgstr, expected):
    assert found(msgid, msgstr) & {"error[placeholders]"} == expected


@pytest.mark.parametrize("msgid, msgstr, expected", [
    ("See [the hotline](https://cybertip.ca/report).", "Voir [la ligne](https://cyberaide.ca/signaler).", set()),
    ("See [the hotline](https://cybertip.ca/).", "Voir [la ligne](https://evil.example/).", {"error[markup]"}),
    ("See [the page](how-to-report.md).", "Voir [la page] (how-to-report.md).", {"error[markup]"}),
    ("It is **never** your fault.", "Ce n'est jamais ta faute.", {"error[markup]"}),
])
def test_markup_and_links(msgid, msgstr, expected):
    assert found(msgid, msgstr) & {"error[markup]"} == expected


@pytest.mark.parametrize("msgstr", ['Texte <script>alert(1)</script>', 'Texte <img src=x onerror="alert(1)">',
                                    "[x](javascript:alert(1))", "Texte data:text/html,<b>"])
def test_safety(msgstr):
    assert "error[safety]" in found("Plain text.", msgstr)


def test_numbers_come_from_region_data_only():
    assert "error[numbers]" in found("Call the helpline.", "Appelez le 0800 1111.")
    assert "error[numbers]" not in found("Under 18.", "Moins de 18 ans.")
    assert "error[numbers]" not in found("From 4 pm to 9 pm.", "De 4 h à 9 h du soir.")


def test_opening_hours_may_be_written_as_readers_write_them():
    """A 24-hour clock is how German and French readers write hours; a wrong hour is still an error."""
    hours = polib.POEntry(msgid="Monday to Saturday, 2 pm to 8 pm", msgstr="Mo–Sa 14–20 Uhr", msgctxt="opening hours")
    assert not list(check_numbers(hours, None))
    hours.msgstr = "Mo–Sa 14–21 Uhr"
    assert [finding[0] for finding in check_numbers(hours, None)] == ["error"]
    # outside opening hours a 24-hour form is not allowed: numbers come from the source
    assert "error[numbers]" in found("From 2 pm.", "Ab 14 Uhr.")
    assert "error[numbers]" in found("From 4 pm to 9 pm.", "De 16 h à 21 h.")  # the clock digits differ


def test_terminology_refuses_discouraged_terms_unless_the_source_quotes_them():
    assert "error[terminology]" in found("Child sexual abuse material.", "La pédopornographie.")
    assert "error[terminology]" not in found('Some say "child pornography"; this is wrong.',
                                             "Certains disent « pédopornographie » ; c'est faux.")


def test_length_limit_and_suspicious_length():
    assert "error[length]" in found("Short", "Beaucoup trop long pour la place", comment="max-length: 10")
    assert "warning[length]" in found("A twenty-character!!", "x" * 70)


def test_plural_forms_count():
    entry = {"msgid_plural": "%(n)s files", "msgstr_plural": {0: "%(n)s fichier", 1: "%(n)s fichiers", 2: "x"}}
    assert "error[plurals]" in found("%(n)s file", "", **entry)


def test_untranslated_and_fuzzy_are_errors_only_for_a_release():
    assert found("Hello", "") == {"warning[untranslated]"}
    assert found("Hello", "", context=ctx(release=True)) == {"error[untranslated]"}
    assert found("Hello", "Bonjour", flags=["fuzzy"], context=ctx(release=True)) == {"error[fuzzy]"}
