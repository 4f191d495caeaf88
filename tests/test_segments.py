"""Segmentation and the translate round trip, on hand-written cases and generated Markdown."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.source.segments import apply_translations, find_blocks, parse_annotation

SAMPLE = """Title
=====

# ATX *heading* #

Para line one
line two  
hard break above

- item one
  continued
- item two

    second para of item two

    1. nested one
    2. nested two

> quote *a*
> > inner

| Head A | Head B \\| pipe |
|--------|----------------|
| `x`    | [link](https://example.org "Link title") |

    indented code

```python
fenced = "code"
```

![alt text](img.png "Image title")

Escapes \\*not emphasis\\* and &amp; entity &copy; and emoji 🙂.

A [reference link][ref] here.

[ref]: https://example.org/ref "Ref title"

<!-- i18n: context=button max-length=40 Keep it short -->
Press here
"""


def html(text: str) -> str:
    return markdown.markdown(text, extensions=["extra"])


def msgids(text: str) -> list[str]:
    return [b.msgid for b in find_blocks(text)]


def test_blocks_of_every_kind_are_found_with_inline_markup_kept():
    found = msgids(SAMPLE)
    assert "ATX *heading*" in found
    assert "Para line one line two\nhard break above" in found
    assert "item one continued" in found
    assert "second para of item two" in found
    assert "nested two" in found
    assert "quote *a*" in found and "inner" in found
    assert "Head B \\| pipe" in found and "`x`" in found
    assert '[link](https://example.org "Link title")' in found
    assert "alt text" in found and "Image title" in found
    assert "Escapes \\*not emphasis\\* and &amp; entity &copy; and emoji 🙂." in found
    assert "A [reference link][ref] here." in found


def test_code_and_link_definitions_are_not_extracted():
    found = " ".join(msgids(SAMPLE))
    assert "indented code" not in found
    assert "fenced" not in found
    assert "https://example.org/ref" not in found


def test_annotation_gives_context_length_and_note_to_the_next_block_only():
    blocks = {b.msgid: b for b in find_blocks(SAMPLE)}
    press = blocks["Press here"].annotation
    assert (press.context, press.max_length, press.note) == ("button", 40, "Keep it short")
    assert blocks["A [reference link][ref] here."].annotation.context is None


def test_annotation_with_quotes_and_apostrophes_is_a_plain_note():
    note = parse_annotation("<!-- i18n: Use your language's \"term\" -->", 1)
    assert note.note == "Use your language's \"term\"" and note.context is None


def test_identity_translation_reproduces_the_source_exactly():
    assert apply_translations(SAMPLE, lambda b: b.msgid) == SAMPLE
    assert apply_translations(SAMPLE, lambda b: None) == SAMPLE


def test_translation_replaces_only_the_block_text():
    out = apply_translations(SAMPLE, lambda b: b.msgid.upper() if b.msgid == "item one continued" else None)
    assert "- ITEM ONE CONTINUED\n- item two" in out


def test_translation_with_pipe_in_a_table_cell_is_escaped():
    out = apply_translations("| a | b |\n|---|---|\n| c | d |\n", lambda b: "x|y" if b.msgid == "c" else None)
    assert "| x\\|y | d |" in out
    assert "<td>x|y</td>" in html(out)


def test_hard_break_in_translation_keeps_quote_prefix():
    out = apply_translations("> one  \n> two\n", lambda b: "EINS\nZWEI")
    assert out == "> EINS  \n> ZWEI\n"
    assert "<br />" in html(out) or "<br>" in html(out)


# --- generated Markdown within the Python-Markdown `extra` dialect ------------------------------

WORD = st.sampled_from(["help", "report", "child", "safe", "Hotline", "URL", "café", "naïve", "🙂", "日本語",
                        "مساعدة", "1998", "a&amp;b", "&copy;", "x\\*y", "its", "don't", "{emergency_number}"])


@st.composite
def inline(draw) -> str:
    words = draw(st.lists(WORD, min_size=1, max_size=8))
    out = []
    for word in words:
        style = draw(st.sampled_from(["plain", "plain", "plain", "em", "strong", "code", "link", "titled"]))
        out.append({"plain": word, "em": f"*{word}*", "strong": f"**{word}**", "code": f"`{word}`",
                    "link": f"[{word}](https://example.org/{len(out)})",
                    "titled": f'[{word}](page.md "A title")'}[style])
    return " ".join(out)


@st.composite
def paragraph(draw) -> str:
    lines = draw(st.lists(inline(), min_size=1, max_size=3))
    breaks = [draw(st.sampled_from(["\n", "  \n"])) for _ in lines[1:]]
    text = lines[0]
    for br, line in zip(breaks, lines[1:]):
        text += br + line
    return text


@st.composite
def bullet_list(draw, depth: int = 0) -> str:
    items = []
    marker = draw(st.sampled_from(["-", "*", "1."]))
    pad = " " * (4 * depth)
    for _ in range(draw(st.integers(1, 3))):
        item = f"{pad}{marker} {draw(inline())}"
        if draw(st.booleans()):
            item += f"\n\n{pad}    {draw(inline())}"
        if depth < 1 and draw(st.booleans()):
            item += "\n\n" + draw(bullet_list(depth + 1))
        items.append(item)
    separator = "\n\n" if any("\n" in i for i in items) else "\n"
    return separator.join(items)


@st.composite
def table(draw) -> str:
    cols = draw(st.integers(1, 3))
    head = "| " + " | ".join(draw(WORD) for _ in range(cols)) + " |"
    rule = "|" + "|".join("---" for _ in range(cols)) + "|"
    rows = ["| " + " | ".join(draw(inline()).replace("|", "") for _ in range(cols)) + " |"
            for _ in range(draw(st.integers(1, 3)))]
    return "\n".join([head, rule, *rows])


@st.composite
def block(draw) -> str:
    kind = draw(st.sampled_from(["heading", "paragraph", "list", "table", "quote", "fence", "indented", "image"]))
    if kind == "heading":
        return f"{'#' * draw(st.integers(1, 3))} {draw(inline())}"
    if kind == "paragraph":
        return draw(paragraph())
    if kind == "list":
        return draw(bullet_list())
    if kind == "table":
        return draw(table())
    if kind == "quote":
        return "\n".join(f"> {line}" for line in draw(paragraph()).split("\n"))
    if kind == "fence":
        return f"```\n{draw(inline())}\n```"
    if kind == "indented":
        return f"    code {draw(WORD)}"
    return f'![{draw(WORD)}](img/{draw(st.integers(1, 9))}.png "{draw(WORD)}")'


documents = st.lists(block(), min_size=1, max_size=6).map(lambda blocks: "\n\n".join(blocks) + "\n")


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def tags(text: str) -> list[str]:
    parser = Tags()
    parser.feed(html(text))
    return parser.tags


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_identity_translation_renders_the_same_html(doc):
    assert html(apply_translations(doc, lambda b: b.msgid)) == html(doc)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_missing_translations_fall_back_to_source_per_block(doc):
    blocks = find_blocks(doc)
    keep = {b.msgid for b in blocks[::2]}
    out = apply_translations(doc, lambda b: None if b.msgid in keep else "Übersetzt " + b.msgid)
    assert tags(out) == tags(doc)
    assert keep <= set(msgids(out))  # untouched blocks keep the source text


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_translated_document_keeps_the_structure(doc):
    out = apply_translations(doc, lambda b: "Ü " + b.msgid)
    assert tags(out) == tags(doc)
    assert len(re.findall("Ü ", out)) == len(find_blocks(doc))
