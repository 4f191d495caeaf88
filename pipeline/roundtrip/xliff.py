"""XLIFF and TMX for agencies' CAT tools, through translate-toolkit (not our own XML code).

The shape CAT tools translate (OmegaT, and the convention of Okapi's tools): every unit's `<target>` is a copy
of its English source, and our current translations travel beside it as a TMX memory. A tool that finds a
translation in a target segments it as if it were the source (OmegaT does), so targets never carry them.

- `approved` and `state` say what the catalog has for the unit: `needs-translation` (nothing yet),
  `needs-review-translation` (a draft, fuzzy or not yet reviewed: the memory holds it), `final` with
  `approved="yes"` (confirmed by a reviewer). They are information for the translator: on the way back a
  unit is judged by its text, since tools do not all update them (OmegaT does not).
- The PO header is a unit with `translate="no"`: not offered for translation, but it carries the export id
  back for a three-way merge.
- translate-toolkit's po2xliff/xliff2po lose msgctxt (translate/translate#268), so units carry a `po-extra`
  context group with it; the memory carries it as the unit's `x-context` property.

A returned unit whose target is still its English source was not translated: it is read as empty, so it
never replaces a translation (and `merge` says how many there were).
"""

from __future__ import annotations

import io
import re

import polib

from ..core.errors import InputRefused

SUFFIXES = (".xlf", ".xliff")
_CONTEXT = "x-po-msgctxt"
UNTRANSLATED, DRAFT, FINAL = "needs-translation", "needs-review-translation", "final"


def _language(locale: str) -> str:
    return locale.replace("_", "-")


def _states(po_data: bytes) -> dict[tuple[str | None, str], str]:
    """(msgctxt, msgid) -> the XLIFF state of what the catalog has for it."""
    from ..catalog.catalogs import has_text, is_translated
    from ..catalog.review import is_reviewed

    states = {}
    for entry in polib.pofile(po_data.decode("utf-8"), wrapwidth=0):
        if entry.obsolete:
            continue
        if is_reviewed(entry):
            state = FINAL
        elif has_text(entry) or is_translated(entry):
            state = DRAFT
        else:
            state = UNTRANSLATED
        states[(entry.msgctxt, entry.msgid)] = state
    return states


def po_to_xliff(po_data: bytes, target_language: str) -> bytes:
    """A PO catalog (bytes as GNU gettext writes them) as XLIFF 1.1 whose targets are copies of the source."""
    from translate.convert.po2xliff import po2xliff
    from translate.storage import po, poxliff

    states = _states(po_data)
    source = po.pofile(io.BytesIO(po_data))
    out = poxliff.PoXliffFile(sourcelanguage="en", targetlanguage=_language(target_language))
    converter = po2xliff()
    for unit in source.units:
        if unit.isblank() or unit.isobsolete():
            continue
        converted = converter.convertunit(out, unit, source.filename)
        if unit.isheader():
            converted.xmlelement.set("translate", "no")  # carries the export id; nothing to translate
            continue
        context = unit.getcontext() or None
        if context:
            converted.createcontextgroup("po-extra", [(_CONTEXT, context)], purpose="information")
        converted.target = converted.source  # the English source, as CAT tools expect to find it
        state = states.get((context, str(unit.source) if not unit.hasplural() else unit.source.strings[0]),
                           UNTRANSLATED)
        for element in converted.xmlelement.iter(converted.namespaced("trans-unit")):
            element.set("approved", "yes" if state == FINAL else "no")
        for element in converted.xmlelement.iter(converted.namespaced("target")):
            element.set("state", state)
    return bytes(out)


def po_to_tmx(po_data: bytes, target_language: str) -> bytes:
    """The catalog's current translations (not fuzzy, singular) as a TMX memory; msgctxt as `x-context`."""
    from lxml import etree
    from translate.storage import tmx

    from ..catalog.catalogs import is_translated

    language = _language(target_language)
    store = tmx.tmxfile(sourcelanguage="en", targetlanguage=language)
    for entry in polib.pofile(po_data.decode("utf-8"), wrapwidth=0):
        if entry.obsolete or entry.msgid_plural or not is_translated(entry):
            continue
        store.addtranslation(entry.msgid, "en", entry.msgstr, language)
        unit = store.units[-1]
        if entry.msgctxt:
            prop = etree.Element("prop", type="x-context")
            prop.text = entry.msgctxt
            unit.xmlelement.insert(0, prop)
    return bytes(store)


def xliff_to_catalog(data: bytes, rel: str) -> polib.POFile:
    """A returned XLIFF file as the PO catalog it stands for (header from its header unit). Targets that are
    still the English source count as untranslated; `catalog.source_copies` says how many there were."""
    from lxml import etree
    from translate.storage import poxliff

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InputRefused(f"not a valid XLIFF file: {exc}", path=rel) from None
    if etree.QName(root).localname != "xliff":
        raise InputRefused(f"not an XLIFF file: its root element is <{etree.QName(root).localname}>"
                           + (" (a TMX memory is not merged; send the translated messages.xlf)"
                              if etree.QName(root).localname == "tmx" else ""), path=rel)
    if (root.get("version") or "").startswith("2"):
        raise InputRefused("XLIFF 2 is not read: save the file as XLIFF 1.2 (or 1.1) in your tool", path=rel)
    try:
        store = poxliff.PoXliffFile.parsestring(data)
    except Exception as exc:  # translate-toolkit's parser: any failure means the file is not one we can read
        raise InputRefused(f"not a valid XLIFF file: {exc}", path=rel) from None
    text = data.decode("utf-8", "replace")
    catalog = polib.POFile(wrapwidth=0, encoding="utf-8")
    copies = 0
    for unit in store.units:
        if unit.isheader():  # read from the source we wrote: a tool may have "translated" the target
            for line in str(unit.source).splitlines():
                key, sep, value = line.partition(":")
                if sep:
                    catalog.metadata[key.strip()] = value.strip()
            continue
        context = dict(pair for group in unit.getcontextgroups("po-extra") for pair in group).get(_CONTEXT)
        entry = polib.POEntry(msgctxt=context or None)
        if unit.hasplural():
            sources, targets = unit.source.strings, (unit.target.strings if unit.target else [])
            entry.msgid, entry.msgid_plural = sources[0], sources[1] if len(sources) > 1 else sources[0]
            if [str(t) for t in targets] == [str(s) for s in sources[: len(targets)]]:
                copies += bool(targets)
                targets = []
            entry.msgstr_plural = {i: str(t) for i, t in enumerate(targets)}
        else:
            entry.msgid, entry.msgstr = str(unit.source), str(unit.target or "")
            if entry.msgstr == entry.msgid:  # the copy of the source the export put there
                copies += 1
                entry.msgstr = ""
        match = re.search(rf'<(?:trans-unit|group)\b[^>]*\bid="{re.escape(str(unit.getid()))}"', text)
        entry.linenum = text.count("\n", 0, match.start()) + 1 if match else 0
        catalog.append(entry)
    language = store.gettargetlanguage()
    if language and "Language" not in catalog.metadata:
        catalog.metadata["Language"] = language.replace("-", "_")
    catalog.source_copies = copies
    return catalog
