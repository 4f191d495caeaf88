"""Region data: validation on load, the contacts listing and live-verification workflow."""

from __future__ import annotations

import json
import re

import pytest
from conftest import tree_bytes
from hypothesis import given
from hypothesis import strategies as st

from pipeline.contacts.phones import parse_phone
from pipeline.contacts.regions import load_regions


@pytest.mark.parametrize("number, region, display, tel", [
    ("1-800-843-5678", "US", "1-800-843-5678", "+18008435678"),
    ("0808 800 5000", "GB", "0808 800 5000", "+448088005000"),
    ("116 111", "DE", "116 111", "116111"),
    ("1098", "IN", "1098", "1098"),
    ("16000", "EG", "16000", "16000"),
    ("189", "JP", "189", "189"),
])
def test_phone_numbers_are_validated_and_formatted(number, region, display, tel):
    phone = parse_phone(number, region)
    assert (phone.display, phone.tel) == (display, tel)


def test_every_shipped_region_loads_with_the_required_regions(project, cli):
    rows = json.loads(cli(project, "contacts", "--json").output)
    regions = {r["region"] for r in rows}
    assert {"US", "GB", "CA", "AU", "IN", "DE", "FR", "ES", "BR", "PL", "UA", "JP", "KE", "EG", "MX", "INT"} <= regions
    # our data was checked against archived copies only: nothing may claim a live check
    assert all(r["status"] != "confirmed" and r["verified_on"] is None and r["due"] for r in rows)


def break_region(root, old, new, name="gb.toml"):
    path = root / "source_content" / "regions" / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("old, new, expected", [
    ('"0800 1111"', '"0800 111"', "not a valid phone or short number in GB"),
    ('url = "https://childline.org.uk', 'url = "http://childline.org.uk', "must be an https URL"),
    ('kind = "child-helpline"', 'kind = "helpline"', "kind 'helpline' is not one of"),
    ('status = "partly"', 'status = "sure"', "status 'sure' is not one of"),
    ('paper = "a4"', 'paper = "A3"', "paper: must be one of a4, letter"),
    ('emergency = "999"', 'emergency = "12345678901234"', "emergency:"),
    ('code = "GB"', 'code = "FR"', "code: must be the region's ISO code"),
    ('id = "childline"', 'id = "Child Line"', "must be lower-case letters"),
    ('status = "partly"', 'status = "confirmed"', "needs verified_on"),
    ('name = "Childline"', 'nmae = "Childline"', "unknown key 'nmae'"),
    # a key that promises what another key must back
    ('id = "childline"\n', 'id = "childline"\nneeds = ["report"]\n',
     'needs: "report" needs a report_url (the page that takes reports); add report_url'),
    ('kind = "adult-support"\nneeds = ["prevention"]', 'kind = "prevention"\nneeds = ["adult"]',
     "a prevention service answers only people worried about their own thoughts"),
    ('id = "childline"\n', 'id = "childline"\nbased_in = "GB"\n', "based_in: 'GB' is this file's region"),
    ('id = "childline"\n', 'id = "childline"\nbased_in = "usa"\n', "based_in must be the ISO code"),
])
def test_bad_region_data_is_refused_with_file_line_and_reason(project, cli, old, new, expected):
    break_region(project, old, new)
    before = tree_bytes(project)
    result = cli(project, "build", "--format", "html", code=3)
    assert "source_content/regions/gb.toml:" in result.output
    assert expected in result.output
    assert "Traceback" not in result.output
    assert tree_bytes(project) == before  # nothing built from it


def test_toml_syntax_error_names_the_line(project, cli):
    break_region(project, 'name = "United Kingdom"', 'name = "United Kingdom')
    result = cli(project, "contacts", code=3)
    assert "source_content/regions/gb.toml:" in result.output and "not valid TOML" in result.output


def test_contacts_lists_sources_and_due_checks(project, cli):
    out = cli(project, "contacts", "--due").output
    assert "GB/childline" in out and "never verified live" in out and "source: https://" in out


def test_verify_records_a_live_check_keeping_comments(verified_project, cli):
    path = verified_project / "source_content" / "regions" / "gb.toml"
    text = path.read_text().replace('status = "confirmed"\nverified_on = 2026-06-01\n\n[[contacts]]\nid = "childline"',
                                    'status = "confirmed"\nverified_on = 2026-06-01\n\n[[contacts]]\nid = "childline"')
    text = text.replace('source = "https://www.childline.org.uk"\nstatus = "confirmed"\nverified_on = 2026-06-01',
                        'source = "https://www.childline.org.uk"\nstatus = "partly"')
    path.write_text(text)
    rows = json.loads(cli(verified_project, "contacts", "--due", "--json").output)
    assert [r["id"] for r in rows] == ["childline"]
    result = cli(verified_project, "contacts", "verify", "GB", "childline", "--on", "2026-11-20")
    assert "confirmed, verified on 2026-11-20" in result.output
    written = path.read_text()
    assert written.startswith("# Test fixture")  # comments and layout kept
    assert 'status = "confirmed"\nverified_on = 2026-11-20' in written
    assert json.loads(cli(verified_project, "contacts", "--due", "--json").output) == []


def test_verify_records_how_and_by_whom_and_each_number_on_its_own(verified_project, cli):
    path = verified_project / "source_content" / "regions" / "gb.toml"
    text = path.read_text()
    old = 'phones = ["0800 1111"]\n'
    assert old in text
    # Childline gets a second number: one call no longer confirms both
    text = text.replace(old, 'phones = ["0800 1111", { number = "0800 400 222", note = "text phone" }]\n')
    text = text.replace('source = "https://www.childline.org.uk"\nstatus = "confirmed"\nverified_on = 2026-06-01',
                        'source = "https://www.childline.org.uk"\nstatus = "partly"')
    path.write_text(text)
    cli(verified_project, "extract")
    before = path.read_bytes()
    result = cli(verified_project, "contacts", "verify", "GB", "childline", "--how", "phone", code=2)
    assert "prints 2 numbers (0800 1111, 0800 400 222): check each and record it with --number" in result.output
    assert path.read_bytes() == before
    result = cli(verified_project, "contacts", "verify", "GB", "childline", "--number", "0800 1111", "--how", "phone",
                 "--by", "A. Rivera", "--on", "2026-11-20")
    assert "number 0800 1111 checked; still to check: 0800 400 222" in result.output
    rows = json.loads(cli(verified_project, "contacts", "GB", "--due", "--json").output)
    assert [r["id"] for r in rows] == ["childline"]  # one of two numbers is not a check of the contact
    cli(verified_project, "contacts", "verify", "GB", "childline", "--number", "0800 400 222", "--how", "phone",
        "--by", "A. Rivera", "--on", "2026-11-21")
    written = path.read_text()
    assert re.search(r'\{ ?number = "0800 1111", verified_on = 2026-11-20 ?\}', written)
    assert re.search(r'number = "0800 400 222", note = "text phone", verified_on = 2026-11-21 ?\}', written)
    assert 'verified_how = "phone"' in written and 'verified_by = "A. Rivera"' in written
    assert 'status = "confirmed"' in written and "verified_on = 2026-11-20\n" in written  # the older of the two
    assert json.loads(cli(verified_project, "contacts", "GB", "--due", "--json").output) == []
    # recording a check changes the region file, and nothing else CI compares
    cli(verified_project, "update", "--check")
    cli(verified_project, "extract", "--check")


def test_contacts_can_be_listed_for_some_regions(project, cli):
    rows = json.loads(cli(project, "contacts", "--due", "ES", "--json").output)
    assert {r["region"] for r in rows} == {"ES", "INT"}  # with the international contacts its editions print
    assert "unknown region 'XX'" in cli(project, "contacts", "--due", "XX", code=2).output


def test_verify_unknown_contact_is_refused(verified_project, cli):
    before = tree_bytes(verified_project)
    result = cli(verified_project, "contacts", "verify", "GB", "nobody", code=2)
    assert "has no contact 'nobody'" in result.output
    assert tree_bytes(verified_project) == before


def test_stale_verification_is_due(verified_project, cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1830000000")  # 2027-12-28: June 2026 is now too old
    rows = json.loads(cli(verified_project, "contacts", "--due", "--json").output)
    assert {r["id"] for r in rows} == {"iwf", "childline", "take-it-down", "samaritans", "stop-it-now-uk"}


def test_coverage_matrix_names_the_contact_for_each_need(project, cli):
    rows = json.loads(cli(project, "contacts", "--coverage", "--json").output)
    cell = {(r["region"], r["need"]): r for r in rows}
    assert len({r["region"] for r in rows}) == 15 and {r["need"] for r in rows} == {
        "report", "child", "crisis", "adult", "prevention", "removal", "emergency"}
    assert cell[("GB", "crisis")]["routes"] == ["samaritans"] and not cell[("GB", "crisis")]["fallback"]
    assert all(cell[(region, "crisis")]["covered"] for region in {r["region"] for r in rows})
    assert cell[("KE", "report")]["routes"] == ["INT/inhope"] and cell[("KE", "report")]["fallback"]
    assert cell[("AU", "emergency")]["routes"] == ["000"]
    # a parent in France is sent first to 119, which serves adults worried about a child; STOP is prevention
    assert cell[("FR", "adult")]["routes"][0] == "allo-119"
    assert cell[("FR", "prevention")]["routes"] == ["stop-ffcriavs"]
    # Mexico's children reach a national line, not a website abroad
    assert cell[("MX", "child")]["routes"] == ["linea-de-la-vida"] and not cell[("MX", "child")]["fallback"]
    # Take It Down is run from the US: national there, a service abroad elsewhere
    assert not cell[("US", "removal")]["fallback"] and cell[("ES", "removal")]["fallback"]
    text = cli(project, "contacts", "--coverage").output
    assert text.splitlines()[0].split() == ["region", "report", "child", "crisis", "adult", "prevention", "removal",
                                            "emergency"]
    for row in rows:
        if row["covered"]:
            continue
        if row["required"]:  # a gap is named, and makes the region's editions drafts
            assert f"{row['region']} editions are drafts: no route for the need '{row['need']}'" in text
        else:  # prevention: listed where a sourced service exists; the gap is named, no draft
            assert f"{row['region']}: no sourced service for '{row['need']}'" in text
            assert f"{row['region']} editions are drafts: no route for the need '{row['need']}'" not in text


def test_a_region_without_a_crisis_line_is_a_draft_that_names_the_need(verified_project, cli):
    path = verified_project / "source_content" / "regions" / "gb.toml"
    text = path.read_text()
    path.write_text(text.replace('kind = "crisis"', 'kind = "adult-support"'))
    cli(verified_project, "extract")
    result = cli(verified_project, "build", "--edition", "en-GB", "--format", "html", "--release", code=1)
    assert "edition en-GB is a draft: no route for the need 'crisis'" in result.output


def test_every_shipped_number_dials_what_it_shows():
    from conftest import REPO

    from pipeline.contacts.phones import dials_as_printed, digits
    from pipeline.core.layout import Project

    regions = load_regions(Project.at(REPO))
    seen = 0
    for code, region in regions.items():
        if code == "INT":
            continue
        numbers = [region.emergency] + [p for c in region.contacts for p in c.phones] + \
            [c.sms for c in region.contacts if c.sms]
        for phone in numbers:
            assert dials_as_printed(phone.raw, phone.tel, code), (code, phone)
            if phone.short:
                assert phone.tel == digits(phone.raw)  # 000, 017, 088: every zero kept
            seen += 1
    assert seen > 60


def short_numbers_with_leading_zeros() -> list[tuple[str, str]]:
    """Every valid short number of 3 or 4 digits starting with 0 in regions that have some (000, 017, 088...)."""
    import phonenumbers as pn
    from phonenumbers import shortnumberinfo

    found = []
    for region in ("AU", "ES", "MX", "GB", "FR", "DE", "JP", "IN", "BR", "EG", "PL", "UA", "KE"):
        for size in (3, 4):
            for n in range(10 ** (size - 1)):
                text = str(n).zfill(size)
                try:
                    number = pn.parse(text, region)
                except pn.NumberParseException:
                    continue
                if shortnumberinfo.is_valid_short_number_for_region(number, region) and \
                        not pn.is_valid_number_for_region(number, region):
                    found.append((region, text))
    return found


SHORT_WITH_ZEROS = short_numbers_with_leading_zeros()


@given(case=st.sampled_from(SHORT_WITH_ZEROS), separator=st.sampled_from(["", " ", "-"]))
def test_generated_short_numbers_keep_their_leading_zeros(case, separator):
    region, digits_ = case
    written = separator.join([digits_[:2], digits_[2:]]) if separator else digits_
    phone = parse_phone(written, region)
    assert phone.short and phone.tel == digits_ and phone.raw == written


def test_there_are_such_short_numbers_to_test():
    assert ("AU", "000") in SHORT_WITH_ZEROS and ("ES", "017") in SHORT_WITH_ZEROS and ("MX", "088") in SHORT_WITH_ZEROS


def test_a_release_refusal_is_said_as_one_and_names_the_contacts(project, cli):
    result = cli(project, "build", "--edition", "en-GB", "--format", "html", "--release", code=1)
    first = result.output.splitlines()[0]
    assert first.startswith("en-GB   REFUSED not built") and "FAILED" not in result.output, result.output
    assert "printed contacts not verified live in the last 12 months: GB/iwf" in result.output
    assert "(see `awareness contacts --due GB`)" in result.output
