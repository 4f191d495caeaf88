"""The edition view: what an edition reads (editions with and without a catalog, settings, regions, the build
date), what it shows (the region's contacts and key numbers, the catalog's translations, a regional variant
falling back to its language, English where nothing usable is translated) and what holds it back."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import polib
import pytest
from conftest import FIXED_EPOCH, Cli, fill_catalog, mini_copy, po

from pipeline.core.errors import UsageError
from pipeline.core.layout import Project
from pipeline.core.settings import load_settings
from pipeline.edition.view import (
    PREVIEW_MARKS,
    edition_view,
    load_inputs,
    local_date,
    merged_catalog,
    name_beside,
    preview_lookup,
    url_label,
)

GB_CONTACTS = ["iwf", "childline", "samaritans", "stop-it-now-uk"]
_ACCENTS = str.maketrans("aeiouAEIOU", "áéíóúÁÉÍÓÚ")


def accented(msgid: str) -> str:
    """A mechanical translation the content checks accept: no English sentence left, the same length,
    placeholders and link targets intact."""
    parts = re.split(r"(\{\w+\}|%\(\w+\)s|\]\([^)]*\))", msgid)
    return "".join(part if index % 2 else part.translate(_ACCENTS) for index, part in enumerate(parts))


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The mini project with a mechanically translated `fr` catalog, made once for this file (read-only)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        root = mini_copy(tmp_path_factory.mktemp("view") / "mini")
        Cli()(root, "extract")
        Cli()(root, "init", "fr")
    fill_catalog(po(root), accented)
    return root


@pytest.fixture
def shared(base, monkeypatch) -> Project:
    """The module's project at the fixed build date, for tests that only read it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    return Project.at(base)


@pytest.fixture
def own(base, tmp_path, monkeypatch) -> Project:
    """A copy of it for a test that changes it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
    return Project.at(shutil.copytree(base, tmp_path / "mini"))


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_load_inputs_reads_regions_settings_the_build_date_and_which_editions_have_a_catalog(own):
    inputs, missing = load_inputs(own)
    assert [(e.id, e.locale) for e in inputs.editions] == [("en-GB", None), ("fr-GB", "fr")] and missing == []
    assert sorted(inputs.regions) == ["GB", "INT"] and inputs.international.code == "INT"
    assert inputs.today == dt.date(2026, 11, 18) and inputs.settings == load_settings(own)
    assert inputs.site_editions == inputs.editions
    po(own.root).unlink()
    inputs, missing = load_inputs(own)
    assert [e.id for e in inputs.editions] == ["en-GB"] and missing == ["fr-GB"]
    with pytest.raises(UsageError, match=r"edition fr-GB has no catalog: create it with `awareness init fr`"):
        edition_view(own, "fr-GB")
    with pytest.raises(UsageError, match=r"unknown edition 'de-GB' \(known: en-GB\)"):
        edition_view(own, "de-GB")


def test_an_english_view_carries_the_regions_contacts_and_key_numbers(shared):
    view = edition_view(shared, "en-GB")
    assert (view.edition.locale, view.body_lookup, view.region.code) == (None, None, "GB")
    assert [c.id for c in view.national] == GB_CONTACTS and [c.id for c in view.international] == ["take-it-down"]
    keys = [(row["need"], row["name"], row["shown"], row["tel"], row["href"]) for row in view.key_contacts()]
    assert keys == [("report", "Internet Watch Foundation", "iwf.org.uk/report", "", "https://www.iwf.org.uk/report"),
                    ("child", "Childline", "0800 1111", "+448001111", ""),
                    ("crisis", "Samaritans", "116 123", "116123", ""),
                    ("emergency", "", "999", "999", "")]
    assert view.text_values == {"emergency_number": "999", "region_name": "United Kingdom",
                                "crisis_line": "Samaritans (116 123)"}
    assert str(view.emergency_html) == '<a class="tel" href="tel:999"><bdi dir="ltr">999</bdi></a>'
    routes = {r["need"]: [(c["id"], c["scope"], c["fallback"]) for c in r["routes"]] for r in view.route_views()}
    assert routes["removal"] == [("take-it-down", "international", True)]  # labelled as not the country's own
    assert routes["adult"] == [("stop-it-now-uk", "national", False)] and routes["prevention"] == []
    assert view.qr_caption() == {"kind": "national", "service": "Internet Watch Foundation", "country": "",
                                 "pending": False}
    # verified on 2026-06-01, built on 2026-11-18: nothing holds it back
    assert (view.draft, view.draft_reasons, view.translated, view.needed) == (False, [], 0, 0)
    record = view.record()
    assert [(c.region, c.id, c.verified_on) for c in record.contacts] == \
        [("GB", i, "2026-06-01") for i in GB_CONTACTS] + [("INT", "take-it-down", "2026-06-01")]


def test_a_translated_view_reads_the_catalogs_translations_but_never_its_numbers(shared):
    view = edition_view(shared, "fr-GB")
    catalog = polib.pofile(str(po(shared.root)))
    assert view.edition.locale == "fr" and view.body_lookup is view.lookup
    assert view.t(None, "Help") == "Hélp" and view.region_name == "Únítéd Kíngdóm"
    childline = view.view_of(view.national[1])
    assert childline["description"] == "Fréé, cónfídéntíál hélp fór chíldrén ánd yóúng péóplé."
    assert (childline["name"], childline["hours"]) == ("Childline", "24 hóúrs, évéry dáy")
    assert childline["verified_on"] == "1 juin 2026"  # the date as French readers write it
    # placeholder values come from region data, never from the catalog
    assert view.text_values == {"emergency_number": "999", "region_name": "Únítéd Kíngdóm",
                                "crisis_line": "Samaritans (116 123)"}
    assert view.translated == view.needed == len(catalog) and view.unreviewed == view.needed
    assert view.draft_reasons == [] and view.check_errors == []
    assert view.base_context()["review_note"] is True and view.base_context()["lang"] == "fr-GB"


def test_a_fuzzy_or_empty_entry_falls_back_to_english_and_makes_the_edition_a_draft(own):
    catalog = polib.pofile(str(po(own.root)))
    catalog.find("Help").flags.append("fuzzy")
    catalog.find("Any image or video of the sexual abuse of a child.", msgctxt="leaflet").msgstr = ""
    catalog.save()
    view = edition_view(own, "fr-GB")
    assert view.t(None, "Help") == "Help" and view.t("leaflet", "Any image or video of the sexual abuse of a child.") \
        == "Any image or video of the sexual abuse of a child."
    assert view.t(None, "Report it") == "Répórt ít"
    assert view.translated == view.needed - 2
    assert view.draft_reasons == [f"2 of {view.needed} messages untranslated or fuzzy in locales/fr"]
    assert view.draft_kinds == ["translation"]


def test_a_regional_variant_translates_what_differs_and_falls_back_to_its_language(own):
    # `awareness init fr_GB` is refused (CLDR has no fr_GB), so the variant is made from the template by hand
    variant = polib.pofile(str(own.pot))
    variant.metadata.update({"Language": "fr_GB", "Plural-Forms": "nplurals=2; plural=(n > 1);"})
    variant.find("Help").msgstr = "Au secours"
    variant.find("Report it").msgstr = "Signalez-le"
    variant.find("Report it").flags.append("fuzzy")  # not usable: the language's translation is
    po(own.root, "fr_GB").parent.mkdir(parents=True)
    variant.save(str(po(own.root, "fr_GB")))
    view = edition_view(own, "fr-GB")
    assert view.edition.locale == "fr_GB"
    assert view.t(None, "Help") == "Au secours"
    assert view.t(None, "Report it") == "Répórt ít" and view.region_name == "Únítéd Kíngdóm"
    assert view.translated == view.needed and view.draft_reasons == []  # what `fr` supplies counts as translated
    # a content check names the catalog the failing translation comes from
    assert view.check_errors == []
    edit(po(own.root), 'msgstr "Íf á chíld ís ín ímmédíáté dángér, cáll {emergency_number}."',
         'msgstr "Si un enfant est en danger immédiat, appelez le 17."')
    errors = edition_view(own, "fr-GB").check_errors
    assert errors and all(e.startswith("locales/fr/LC_MESSAGES/messages.po:") for e in errors)
    assert {"error[placeholders]", "error[numbers]"} <= {e.split(": ")[1] for e in errors}


def test_merged_catalog_takes_each_entry_from_the_first_catalog_that_translates_it():
    variant, language = polib.POFile(), polib.POFile()
    variant.metadata = {"Language": "fr_GB"}
    language.metadata = {"Language": "fr"}
    for msgid, own_text, fallback in [("Help", "Au secours", "Aide"), ("Report it", "", "Signalez-le"),
                                      ("Call", "", ""), ("Stay safe", "Restez", "Soyez prudent")]:
        variant.append(polib.POEntry(msgid=msgid, msgstr=own_text))
        language.append(polib.POEntry(msgid=msgid, msgstr=fallback))
    variant.find("Stay safe").flags.append("fuzzy")
    merged = merged_catalog([variant, language])
    texts = {e.msgid: e.msgstr for e in merged}
    assert texts == {"Help": "Au secours", "Report it": "Signalez-le", "Call": "", "Stay safe": "Soyez prudent"}
    assert merged.find("Call") is variant.find("Call")  # nobody translates it: the variant's own entry
    assert merged.metadata == {"Language": "fr_GB"}
    assert merged_catalog([language]) is language


def test_contacts_checked_live_more_than_a_year_before_the_build_date_make_a_draft(shared, monkeypatch):
    one_year = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)  # verified 2026-06-01: still within 12 months
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(one_year.timestamp())))
    assert edition_view(shared, "en-GB").draft_reasons == []
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int((one_year + dt.timedelta(days=1)).timestamp())))
    view = edition_view(shared, "en-GB")
    assert view.draft_reasons == [("5 printed contacts not verified live in the last 12 months: GB/iwf, GB/childline, "
                                   "GB/samaritans, GB/stop-it-now-uk, INT/take-it-down (see `awareness contacts --due "
                                   "GB`)")]
    assert view.draft_kinds == ["contacts"] and view.base_context()["draft"] is True


def test_an_unconfirmed_contact_is_not_printed_and_the_need_it_answered_is_named(own):
    edit(own.root / "source_content" / "regions" / "gb.toml",
         'source = "https://www.samaritans.org/how-we-can-help/contact-samaritan/"\nstatus = "confirmed"',
         'source = "https://www.samaritans.org/how-we-can-help/contact-samaritan/"\nstatus = "unconfirmed"')
    view = edition_view(own, "en-GB")
    assert [c.id for c in view.national] == ["iwf", "childline", "stop-it-now-uk"]
    assert [row["need"] for row in view.key_contacts()] == ["report", "child", "emergency"]
    assert view.draft_reasons == ["no route for the need 'crisis' (see `awareness contacts --coverage`)"]
    # the text's {crisis_line} points to the contacts page instead of a number nobody checked
    assert view.text_values["crisis_line"] == "a crisis line"
    assert str(view.crisis_html) == '<a href="contacts.html">a crisis line</a>'


def test_the_preview_lookup_marks_untranslated_fuzzy_and_unreviewed_text():
    catalog = polib.POFile()
    for msgid, text, fuzzy in [("Help", "Aide", False), ("Report it", "Signalez-le", True), ("Call", "", False)]:
        catalog.append(polib.POEntry(msgid=msgid, msgstr=text, flags=["fuzzy"] if fuzzy else []))
    lookup = preview_lookup(catalog)

    def marked(kind, text):
        return PREVIEW_MARKS[kind][0] + text + PREVIEW_MARKS[kind][1]

    assert lookup(None, "Help") == marked("unreviewed", "Aide")
    assert lookup(None, "Report it") == marked("fuzzy", "Report it")  # the English, marked: not the draft
    assert lookup(None, "Call") == marked("untranslated", "Call")
    assert lookup("leaflet", "Help") == marked("untranslated", "Help")  # another context is another message


def test_names_addresses_and_dates_as_printed():
    assert name_beside("National GBV Helpline 1195", ["1195"]) == "National GBV Helpline"
    assert name_beside("024 - Línea de atención", ["024"]) == "Línea de atención"
    assert name_beside("Helpline 11950", ["1195"]) == "Helpline 11950"  # part of a longer number
    assert name_beside("116 123", ["116 123"]) == "116 123"  # never the whole name
    assert url_label("https://www.iwf.org.uk/report/") == "iwf.org.uk/report"
    assert url_label("https://takeitdown.ncmec.org") == "takeitdown.ncmec.org"
    assert local_date(dt.date(2026, 12, 3), "es") == "3 de diciembre de 2026"
    assert local_date(dt.date(2026, 12, 3), "qps") == "December 3, 2026"  # the pseudo-locale reads English
