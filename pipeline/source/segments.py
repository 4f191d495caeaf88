"""Block-level segmentation of Markdown with source spans, and putting translations back.

markdown-it-py finds the blocks and their lines; we then locate each block's text inside its
source lines, so a translation replaces exactly that text and keeps every marker, indentation
and line around it. Whatever renders the result afterwards (Python-Markdown with `extra`) sees
the same structure as in the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark").enable("table")
_ANNOTATION = re.compile(r"^\s*<!--\s*i18n:(.*?)-->\s*$", re.DOTALL)
_IMAGE = re.compile(r'!\[(?P<alt>(?:\\.|[^\]\\])*)\]\((?P<src>[^)\s]+)(?:\s+"(?P<title>(?:\\.|[^"\\])*)")?\)')
_HARD_BREAK = re.compile(r" {2,}$")


@dataclass(frozen=True)
class Annotation:
    """What an `<!-- i18n: ... -->` comment says about the next block."""

    note: str | None = None
    context: str | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Block:
    """One translatable piece of a Markdown text and where it stands (0-based lines, columns)."""

    msgid: str
    start: tuple[int, int]
    end: tuple[int, int]  # exclusive
    continuation: str = ""  # prefix for continuation lines (blockquote markers, indentation)
    in_table: bool = False
    annotation: Annotation = field(default_factory=Annotation)
    auto_comment: str | None = None

    @property
    def line(self) -> int:
        return self.start[0] + 1


class SegmentationError(ValueError):
    """Raised when a block's text cannot be found in its source lines (a bug or unsupported input)."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


_OPTION = re.compile(r'(?P<key>context|max-length)=(?:"(?P<quoted>[^"]*)"|(?P<bare>\S+))')


def parse_annotation(comment: str, line: int) -> Annotation:
    """`<!-- i18n: context=leaflet max-length=40 A note for translators -->`: options anywhere, the rest is note."""
    match = _ANNOTATION.match(comment)
    if not match:
        return Annotation()
    options: dict[str, str] = {}
    for option in _OPTION.finditer(match.group(1)):
        value = option.group("quoted") if option.group("quoted") is not None else option.group("bare")
        options[option.group("key")] = value
    note = " ".join(_OPTION.sub(" ", match.group(1)).split())
    max_length = None
    if "max-length" in options:
        if not options["max-length"].isdigit():
            raise SegmentationError("i18n comment: max-length must be a whole number", line)
        max_length = int(options["max-length"])
    return Annotation(note=note or None, context=options.get("context") or None, max_length=max_length)


def continuation_of(prefix: str) -> str:
    """The prefix a continuation line needs: blockquote markers kept, list markers turned to spaces."""
    return "".join(c if c in "> \t" else " " for c in prefix)


def _text_block(lines: list[str], token: Token, annotation: Annotation) -> Block:
    first = token.map[0]
    content = token.content.split("\n")
    cols: list[int] = []
    for offset, part in enumerate(content):
        source = lines[first + offset]
        wanted = part.strip()
        col = source.find(wanted)
        if col < 0 or not wanted:
            raise SegmentationError("cannot locate block text in its source line", first + offset + 1)
        cols.append(col)
    pieces = [part.strip() for part in content]
    msgid = pieces[0]
    for offset in range(1, len(pieces)):
        hard = _HARD_BREAK.search(lines[first + offset - 1]) is not None
        msgid += ("\n" if hard else " ") + pieces[offset]
    last = first + len(content) - 1
    end_col = cols[-1] + len(pieces[-1])
    if len(content) > 1:
        continuation = lines[first + 1][: cols[1]]
    else:
        continuation = continuation_of(lines[first][: cols[0]])
    return Block(msgid, (first, cols[0]), (last, end_col), continuation, annotation=annotation)


def _image_blocks(lines: list[str], token: Token, annotation: Annotation) -> list[Block] | None:
    """Separate alt-text and title messages for a paragraph that holds only images."""
    if token.map[1] - token.map[0] != 1 or not token.children:
        return None
    if any(c.type not in ("image", "softbreak") and not (c.type == "text" and not c.content.strip())
           for c in token.children):
        return None
    row = token.map[0]
    source = lines[row]
    blocks = []
    for match in _IMAGE.finditer(source):
        for part, label in (("alt", "alt text"), ("title", "title")):
            text = match.group(part)
            if text and text.strip():
                blocks.append(Block(text, (row, match.start(part)), (row, match.end(part)), annotation=annotation,
                                    auto_comment=f"{label} of image {match.group('src')}"))
    return blocks or None


def _table_cells(lines: list[str], row: int, annotation: Annotation) -> list[Block]:
    source = lines[row]
    bounds: list[int] = [-1]
    escaped = False
    for col, char in enumerate(source):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            bounds.append(col)
    bounds.append(len(source))
    blocks = []
    for left, right in zip(bounds, bounds[1:]):
        cell = source[left + 1 : right]
        text = cell.strip()
        if not text:
            continue
        start = left + 1 + (len(cell) - len(cell.lstrip()))
        blocks.append(Block(text, (row, start), (row, start + len(text)), in_table=True, annotation=annotation))
    return blocks


def find_blocks(text: str) -> list[Block]:
    """Every translatable block of a Markdown text, in document order."""
    lines = text.split("\n")
    tokens = _PARSER.parse(text)
    blocks: list[Block] = []
    pending: Annotation | None = None  # annotation waiting for its block
    pending_level = 0
    active = Annotation()  # annotation of the block being walked
    active_level: int | None = None
    in_table = False
    for index, token in enumerate(tokens):
        if pending is not None and token.level == pending_level and token.nesting >= 0 and token.type != "html_block":
            # the annotation belongs to this block (and everything inside it); a leaf block consumes it
            if token.nesting == 1:
                active, active_level = pending, token.level
            pending = None
        if token.type == "html_block":
            if _ANNOTATION.match(token.content):
                pending = parse_annotation(token.content, token.map[0] + 1)
                pending_level = token.level
        elif token.type == "table_open":
            in_table = True
        elif token.type == "table_close":
            in_table = False
        elif token.type == "tr_open":
            blocks.extend(_table_cells(lines, token.map[0], active))
        elif token.type == "inline" and not in_table:
            opener = tokens[index - 1].type
            if opener == "paragraph_open":
                blocks.extend(_image_blocks(lines, token, active) or [_text_block(lines, token, active)])
            elif opener == "heading_open":
                blocks.append(_text_block(lines, token, active))
        if active_level is not None and token.level == active_level and token.nesting == -1:
            active, active_level = Annotation(), None
    return blocks


def _escape_cell(text: str) -> str:
    return re.sub(r"(?<!\\)\|", r"\\|", text.replace("\n", " "))


def apply_translations(text: str, translate: Callable[[Block], str | None]) -> str:
    """Replace each block's text by `translate(block)`; None keeps the source text of that block."""
    lines = text.split("\n")
    for block in reversed(find_blocks(text)):
        translation = translate(block)
        if translation is None or translation == block.msgid:
            continue  # keep the source exactly, line breaks included
        if block.in_table:
            translation = _escape_cell(translation)
        parts = translation.split("\n")
        (first, start_col), (last, end_col) = block.start, block.end
        head, tail = lines[first][:start_col], lines[last][end_col:]
        new = [head + parts[0]] + [block.continuation + part for part in parts[1:]]
        new = [line + "  " if i < len(new) - 1 else line for i, line in enumerate(new)]
        new[-1] += tail
        lines[first : last + 1] = new
    return "\n".join(lines)
