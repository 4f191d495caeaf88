"""Differential test: our catalog reading against GNU msgcat's, on generated valid and invalid PO texts.

The oracle is msgcat (GNU gettext): a text is valid when `msgcat` accepts it, and its reading is what
`msgcat --no-wrap` writes. Ours must refuse every text msgcat rejects (InputRefused naming the file and a
line) and read every other one exactly as msgcat does: our entries, written back as PO and read by msgcat
again, give msgcat's own writing byte for byte (msgid, msgctxt, msgstr, plurals, flags, comments, references,
previous msgids, obsolete entries, and which entry each comment belongs to). The writer is checked too:
reusing unchanged entries' text gives the bytes of the whole-catalog msgcat pass.

`make test` runs a small sample; AWARENESS_FULL_TESTS=1 runs the full count (4,000 texts, seeded).
"""

from __future__ import annotations

import collections
import os
import random
import subprocess

import polib
import pytest

from pipeline.catalog import po_io
from pipeline.catalog.catalogs import _msgcat, parse_catalog
from pipeline.core.errors import InputRefused

FULL = os.environ.get("AWARENESS_FULL_TESTS") == "1"
COUNT = int(os.environ.get("AWARENESS_PO_DIFF_COUNT", "4000" if FULL else "150"))
SEED = 22

HEADER_KEYS = ("Project-Id-Version", "Language", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
               "Plural-Forms")  # polib's order, so the metadata can be written back in place

# --- the generator ------------------------------------------------------------------------------------

# atoms of a string literal's inside, each one valid on its own
PLAIN = ["help", "aide", "Trouver de l'aide", " ", "  ", "a", "日本語", "ä", "Ω", "{name}", "%s", "%(n)d", "#",
         "msgid", "~", ":", "...", "x" * 30, "word " * 12, "\u00a0", "ب", "\u200f"]
ESCAPES = ["\\n", "\\t", '\\"', "\\\\", "\\r", "\\a", "\\b", "\\f", "\\v", "\\101", "\\x41", "\\0101", "\\x4a"]


def atoms(r: random.Random, low: int = 0, high: int = 6) -> list[str]:
    out = []
    for _ in range(r.randint(low, high)):
        out.append(r.choice(ESCAPES) if r.random() < 0.25 else r.choice(PLAIN))
    return out


def literal(r: random.Random, low: int = 0, high: int = 6) -> list[str]:
    """A string as one or more quoted pieces (continuation lines), its escapes left as written."""
    parts = atoms(r, low, high)
    if len(parts) > 1 and r.random() < 0.4:
        cut = r.randint(1, len(parts) - 1)
        pieces = ["".join(parts[:cut]), "".join(parts[cut:])]
        if r.random() < 0.3:
            pieces.insert(0, "")
        return [f'"{p}"' for p in pieces]
    return [f'"{"".join(parts)}"']


def field(r: random.Random, keyword: str, pieces: list[str], prefix: str = "") -> list[str]:
    space = r.choice([" ", " ", " ", "\t", "  ", ""])
    lines = [f"{prefix}{keyword}{space}{pieces[0]}"] + [f"{prefix}{p}" for p in pieces[1:]]
    if r.random() < 0.05:
        lines = [" " + line for line in lines]  # indented lines are fine for gettext
    return lines


FLAG_LINES = ["#, fuzzy", "#,fuzzy", "#, fuzzy, python-format", "#,fuzzy,python-brace-format", "#, no-wrap",
              "#, python-format", "#, reviewed", "#, fuzzy, reviewed", "#,  fuzzy ,c-format", "#,"]
REFERENCE_LINES = ["#: a.md:3", "#:a.md:3", "#: source_content/a.md:12 b.md:4", "#: x.md", "#: a.md:03 a.md:3",
                   "#: a.md::3", "#: dir/with space.md:2", "#:\ta.md:1\tb.md:2", "#: c.md:x"]
COMMENT_LINES = ["# translator note", "#  two spaces ", "#", "#x", "# ", "#\ttab"]
EXTRACTED_LINES = ["#. page title", "#.x", "#.", "#.  spaced ", "#. max-length: 40"]


def entry(r: random.Random, msgid: list[str], *, obsolete: bool = False, plural: int = 0,
          context: list[str] | None = None) -> list[str]:
    prefix = "#~ " if obsolete else ""
    if obsolete and r.random() < 0.15:
        prefix = r.choice(["#~", "#~  "])
    lines: list[str] = []
    if r.random() < 0.4:
        lines += r.sample(COMMENT_LINES, r.randint(1, 2))
    if r.random() < 0.4:
        lines += r.sample(EXTRACTED_LINES, r.randint(1, 2))
    if r.random() < 0.6:
        lines += r.sample(REFERENCE_LINES, r.randint(1, 2))
    if r.random() < 0.4:
        lines.append(r.choice(FLAG_LINES))
    if r.random() < 0.2:
        before = "#~| " if obsolete else r.choice(["#| ", "#|", "#|  "])
        if r.random() < 0.3:
            lines += field(r, "msgctxt", literal(r, 1, 2), before)
        lines += field(r, "msgid", literal(r, 1, 3), before)
    if context is not None:
        lines += field(r, "msgctxt", context, prefix)
    lines += field(r, "msgid", msgid, prefix)
    if plural:
        lines += field(r, "msgid_plural", literal(r, 1, 3) if r.random() < 0.95 else ['""'], prefix)
        for n in range(plural):
            lines += field(r, f"msgstr[{n}]", literal(r), prefix)
    else:
        lines += field(r, "msgstr", literal(r), prefix)
    if r.random() < 0.08:  # two keywords on one line is valid PO
        for i in range(len(lines) - 1):
            if lines[i + 1].lstrip().startswith(prefix + "msgstr") and not lines[i + 1].startswith(" "):
                lines[i:i + 2] = [lines[i] + " " + lines[i + 1][len(prefix):]]
                break
    return lines


def header(r: random.Random, plural: bool) -> list[str]:
    lines = []
    if r.random() < 0.5:
        lines += ["# French translation.", "# Copyright nobody."][: r.randint(1, 2)]
    if r.random() < 0.15:
        lines.append("#, fuzzy")
    values = {"Project-Id-Version": "test 1", "Language": "fr", "MIME-Version": "1.0",
              "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
    if plural:
        values["Plural-Forms"] = "nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);"
    keys = [k for k in HEADER_KEYS if k in values and (k == "Content-Type" or r.random() < 0.8)]
    lines += ['msgid ""', 'msgstr ""'] + [f'"{k}: {values[k]}\\n"' for k in keys]
    return lines


def unique_msgid(r: random.Random, n: int) -> list[str]:
    pieces = literal(r, 0, 4)
    return pieces[:-1] + [pieces[-1][:-1] + f' #{n}"']


def catalog_text(r: random.Random) -> tuple[list[list[str]], bool]:
    """A valid catalog as blocks of lines (one per entry, the header first when there is one)."""
    plural = r.random() < 0.3
    blocks = [header(r, plural)] if r.random() < 0.93 else []
    for n in range(r.randint(1, 7)):
        obsolete = r.random() < 0.2
        context = literal(r, 0, 2) if r.random() < 0.2 else None
        forms = r.choice([2, 3]) if plural and r.random() < 0.4 else 0
        blocks.append(entry(r, unique_msgid(r, n), obsolete=obsolete, plural=forms, context=context))
    return blocks, plural


def _string_lines(block: list[str]) -> list[int]:
    return [i for i, line in enumerate(block) if '"' in line and not line.lstrip().startswith(("#|", "#~|"))]


def mutate(r: random.Random, blocks: list[list[str]]) -> str:
    """Change one thing; msgcat decides whether the result is still valid. Returns the class's name."""
    body = [b for b in blocks if not (b and b[0].startswith(("msgid \"\"", "#")) and 'msgid ""' in b)] or blocks
    block = r.choice(body)
    kind = r.choice(["quote", "escape", "duplicate", "previous-inside", "msgstr-first", "msgctxt-after",
                     "missing-msgstr", "unterminated", "keyword", "plural-mismatch", "stray-text",
                     "obsolete-mix", "no-charset", "bad-utf8", "comment-inside", "empty-msgid-line"])
    strings = _string_lines(block)
    if kind == "quote" and strings:
        i = r.choice(strings)
        line = block[i]
        at = r.randint(line.index('"') + 1, len(line) - 1)
        block[i] = line[:at] + r.choice(['"', "l'aide\" maintenant", '""x']) + line[at:]
    elif kind == "escape" and strings:
        i = r.choice(strings)
        line = block[i]
        at = r.randint(line.index('"') + 1, len(line) - 1)
        block[i] = line[:at] + r.choice(["\\q", "\\x", "\\8", "\\ ", "\\u00e9", "\\'", "\\?", "\\e"]) + line[at:]
    elif kind == "duplicate":
        blocks.append([line.replace('msgstr "', 'msgstr "other ') for line in block])
    elif kind == "previous-inside":
        at = next((i for i, line in enumerate(block) if "msgstr" in line), len(block))
        block.insert(at, r.choice(['#| msgid "old"', '#~| msgid "old"', "#, fuzzy", "#. late", "# late"]))
    elif kind == "msgstr-first":
        ids = [i for i, line in enumerate(block) if line.lstrip("#~ ").startswith("msgid ")]
        strs = [i for i, line in enumerate(block) if line.lstrip("#~ ").startswith("msgstr")]
        if ids and strs:
            i, j = ids[0], strs[0]
            block[i], block[j] = block[j], block[i]
    elif kind == "msgctxt-after":
        at = next((i for i, line in enumerate(block) if "msgstr" in line), len(block))
        block.insert(at, ("#~ " if block[-1].startswith("#~") else "") + 'msgctxt "late"')
    elif kind == "missing-msgstr":
        block[:] = [line for line in block if "msgstr" not in line]
    elif kind == "unterminated" and strings:
        i = r.choice(strings)
        block[i] = block[i].rstrip('"')
    elif kind == "keyword":
        i = r.randrange(len(block))
        block[i] = block[i].replace("msgstr", r.choice(["msgstrr", "msgstr[0]", "msgtxt", "Msgstr"]), 1)
    elif kind == "plural-mismatch":
        i = r.randrange(len(block))
        block[i] = block[i].replace("msgstr[1]", "msgstr[3]").replace("msgid_plural", "msgid").replace(
            "msgstr ", "msgstr[0] ", 1)
    elif kind == "stray-text":
        block.insert(r.randint(0, len(block)), r.choice(["hello", "= x", "msgid", "'single'", "0"]))
    elif kind == "obsolete-mix":
        i = r.randrange(len(block))
        block[i] = block[i][3:] if block[i].startswith("#~ ") else "#~ " + block[i]
    elif kind == "no-charset":
        for b in blocks:
            b[:] = [line.replace("charset=UTF-8", "charset=CHARSET") for line in b]
    elif kind == "bad-utf8" and strings:
        i = r.choice(strings)
        block[i] = block[i][:-1] + "\udce9" + '"'  # a lone byte 0xE9, written with surrogateescape
    elif kind == "comment-inside":
        at = r.randint(1, max(1, len(block) - 1))
        block.insert(at, r.choice(COMMENT_LINES + EXTRACTED_LINES + REFERENCE_LINES))
    elif kind == "empty-msgid-line":
        block.insert(r.randint(0, len(block)), "")
    return kind


def layout(r: random.Random, blocks: list[list[str]]) -> bytes:
    """Join the blocks as a file: separators, trailing comments, CRLF and BOM vary."""
    out: list[str] = []
    for block in blocks:
        out += block
        if r.random() < 0.15:  # a comment block after the msgstr: gettext gives it to the next entry
            out += r.sample(COMMENT_LINES + FLAG_LINES[:3] + REFERENCE_LINES[:2], r.randint(1, 2))
        out += r.choice([[""], [""], [""], [], ["", ""], ["  "]])
    text = "\n".join(out) + r.choice(["\n", "\n", ""])
    if r.random() < 0.08:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8", "surrogateescape")
    if r.random() < 0.03:
        data = b"\xef\xbb\xbf" + data
    return data


def generated(count: int, seed: int = SEED):
    r = random.Random(seed)
    for _ in range(count):
        blocks, _ = catalog_text(r)
        kind = mutate(r, blocks) if r.random() < 0.45 else "valid-generated"
        yield kind, layout(r, blocks)


# --- the oracle and the comparison --------------------------------------------------------------------

def msgcat(data: bytes, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["msgcat", "--force-po", *args, "-o", "-", "-"], input=data, capture_output=True)


def written_back(catalog: polib.POFile) -> bytes:
    """Our reading as a PO text: the header's own fields, then po_io's writing of every entry."""
    lines = [f"# {line}" if line else "#" for line in catalog.header.split("\n")] if catalog.header else []
    if catalog.metadata_is_fuzzy:
        lines.append("#, " + ", ".join(catalog.metadata_is_fuzzy))
    if catalog.metadata or catalog.header or catalog.metadata_is_fuzzy:
        lines += ['msgid ""', "msgstr " + po_io.quote("".join(f"{k}: {v}\n" for k, v in catalog.metadata.items()))]
    parts = ["\n".join(lines) + "\n"] if lines else []
    parts += [po_io.render_entry(e) for e in catalog]
    return "\n".join(parts).encode("utf-8")


def compare(data: bytes) -> tuple[bool, str]:
    """(msgcat accepts, a disagreement or ""), for one text."""
    oracle = msgcat(data, "--no-wrap")
    try:
        catalog = parse_catalog(data, "t.po", rewrite=True)
    except InputRefused as exc:
        if oracle.returncode == 0:
            return True, f"refused a valid file: {exc}"
        if exc.path != "t.po" or not (exc.line or exc.problems and all(p.line for p in exc.problems)):
            return False, f"refused without naming file and line: {exc}"
        return False, ""
    if oracle.returncode != 0:
        return False, "accepted a file msgcat rejects: " + oracle.stderr.decode(errors="replace").strip()
    ours = msgcat(written_back(catalog), "--no-wrap")
    if ours.stdout != oracle.stdout:
        return True, "read differently:\n" + oracle.stdout.decode(errors="replace") + "---\n" + ours.stdout.decode(
            errors="replace") + ours.stderr.decode(errors="replace")
    if any(e.linenum is None for e in catalog):
        return True, "an entry without its line in the file"
    # the writer: reusing unchanged entries' text gives what msgcat gives for the whole catalog
    reused = po_io.write(catalog, _msgcat)
    whole = _msgcat(po_io.render(catalog))
    if reused != whole:
        return True, "writer: reused text differs from the whole-catalog msgcat pass"
    if catalog:
        catalog[len(catalog) // 2].msgstr += " changed"
        if po_io.write(catalog, _msgcat) != _msgcat(po_io.render(catalog)):
            return True, "writer: one changed entry gives other bytes than the whole-catalog msgcat pass"
    return True, ""


def run_differential(count: int) -> tuple[collections.Counter, list[str]]:
    counts: collections.Counter = collections.Counter()
    failures = []
    for kind, data in generated(count):
        valid, problem = compare(data)
        counts["valid" if valid else "invalid"] += 1
        counts[f"{kind}:{'valid' if valid else 'invalid'}"] += 1
        if problem:
            counts["disagreements" if valid else "accepted-invalid"] += 1
            failures.append(f"[{kind}] {problem}\n--- input ---\n{data.decode('utf-8', 'replace')}")
    return counts, failures


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_catalog_reading_agrees_with_msgcat_on_generated_files():
    counts, failures = run_differential(COUNT)
    print(f"\n{counts['valid']} valid files, {counts['disagreements']} disagreements; "
          f"{counts['invalid']} invalid files, {counts['accepted-invalid']} accepted")
    for key in sorted(k for k in counts if ":" in k):
        print(f"  {key}: {counts[key]}")
    assert not failures, f"{len(failures)} disagreements with msgcat; first:\n" + "\n\n".join(failures[:3])
    # the sample must exercise both sides
    assert counts["valid"] >= COUNT // 3 and counts["invalid"] >= COUNT // 5


@pytest.mark.parametrize("text, flags", [
    ('msgid "a"\nmsgstr "A"\n', []),
    ('#,fuzzy\nmsgid "a"\nmsgstr "A"\n', ["fuzzy"]),
    ('#,fuzzy,python-format\nmsgid "a %s"\nmsgstr "A %s"\n', ["fuzzy", "python-format"]),
    ('#, reviewed\nmsgid "a"\nmsgstr "A"\n', []),  # gettext drops flags it does not know
])
def test_flags_are_read_as_gettext_reads_them(text, flags):
    (entry,) = parse_catalog(text.encode(), "t.po")
    assert entry.flags == flags


def test_a_comment_block_after_a_msgstr_belongs_to_the_next_entry():
    text = b'msgid "a"\nmsgstr "A"\n#, fuzzy\n#: b.md:3\n\nmsgid "b"\nmsgstr "B"\n'
    a, b = parse_catalog(text, "t.po")
    assert (a.flags, a.occurrences) == ([], [])
    assert (b.flags, b.occurrences, b.linenum) == (["fuzzy"], [("b.md", "3")], 3)


def test_references_without_a_space_keep_file_and_line():
    (entry,) = parse_catalog(b'#:a.md:3 b.md\nmsgid "a"\nmsgstr "A"\n', "t.po")
    assert entry.occurrences == [("a.md", "3"), ("b.md", "")]


@pytest.mark.parametrize("text, line", [
    ('msgid "a"\nmsgstr "Trouver de l\'aide" maintenant"\n', 2),
    ('msgid "a"\nmsgstr "\\q"\n', 2),
    ('msgid "a"\nmsgstr "A"\n\nmsgid "a"\nmsgstr "B"\n', 4),
    ('msgid "a"\n#| msgid "b"\nmsgstr "A"\n', 1),
    ('msgstr "A"\nmsgid "a"\n', 1),
    ('msgid "a"\nmsgctxt "c"\nmsgstr "A"\n', 1),
    ('msgid "a"\nmsgstr "A\n', 2),
])
def test_files_gettext_rejects_are_refused_with_their_line(text, line):
    with pytest.raises(InputRefused) as refused:
        parse_catalog(text.encode(), "locales/fr/x.po")
    lines = [p.line for p in refused.value.problems] or [refused.value.line]
    assert refused.value.path == "locales/fr/x.po" and lines[0] == line, str(refused.value)


def test_returned_files_are_read_as_msgcat_reads_them(tmp_path):
    """`merge` reads translators' files through the same reader, after taking off a BOM and turning CRLF into
    LF (documented: any line endings, with or without BOM); msgcat judges the text it then reads."""
    from pipeline.roundtrip.merge import decode_po, parse_returned

    counts: collections.Counter = collections.Counter()
    failures = []
    path = tmp_path / "returned.po"
    for kind, data in generated(max(COUNT // 3, 50), seed=SEED + 1):
        path.write_bytes(data)
        try:
            text = decode_po(data, "returned.po").encode("utf-8")
        except InputRefused:
            text = data  # not UTF-8: msgcat must reject it as well
        oracle = msgcat(text, "--no-wrap")
        try:
            returned = parse_returned(path, "returned.po")
        except InputRefused as exc:
            counts["refused"] += 1
            if oracle.returncode == 0 and "no msgid entries" not in str(exc):
                counts["refused-by-msgfmt-only"] += 1  # msgfmt, the other judge merge asks, is stricter here
            continue
        counts["accepted"] += 1
        if oracle.returncode != 0:
            failures.append(f"[{kind}] accepted a file msgcat rejects:\n{data.decode('utf-8', 'replace')}")
        elif msgcat(written_back(returned), "--no-wrap").stdout != oracle.stdout:
            failures.append(f"[{kind}] read differently:\n{data.decode('utf-8', 'replace')}")
    print(f"\nmerge: {dict(counts)}")
    assert not failures, f"{len(failures)} disagreements; first:\n" + "\n\n".join(failures[:3])
    assert counts["accepted"] and counts["refused"]
