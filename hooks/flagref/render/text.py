"""Text helpers for the renderers: every string from a post reaches a page through one of these.

* ``esc``: HTML element content and quoted attributes;
* ``md_text``: a Markdown line of a generated page (a heading): inert, made of
  letters, digits, spaces and character references only;
* ``front_matter``: the YAML front matter of a generated page;
* ``clean_name``: a name without the control characters that no page should carry;
* ``narrow``: a page's HTML held in one byte per character.
"""

from __future__ import annotations

import html
import re

import yaml

# Control characters: C0 but tab and line feed, DEL, C1. A name carrying one is a
# paste accident (or an attack on the YAML or Markdown it is written into).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What may stay as is in a Markdown line: a character with no meaning to Markdown or HTML.
_MD_PLAIN = re.compile(r"[A-Za-z0-9 ]")
# Any single character, for ``md_text``: each one is replaced on its own, so the work is linear.
_ANY = re.compile(r".", re.S)


# Where a character reference would not be read as the character: the raw text of a script
# or a style element. A tag name after "<": literal text, linear.
_RAW_TEXT = re.compile(r"<(?:script|style)\b", re.IGNORECASE)
# Text that ``esc`` returns as it is: no character HTML or a raw HTML block reads. One class, repeated: linear.
_PLAIN = re.compile(r"[^&<>\"'\r\n]*")


def narrow(page_html: str) -> str:
    """``page_html`` with every character above U+00FF written as a character reference.

    Python stores a string at the width of its widest character: one em dash
    or check mark in a table doubles the memory of the whole page, and MkDocs
    holds every page's HTML until the site is written. A browser reads
    ``&#8212;`` as the em dash itself. HTML with a script or style element is
    returned as it is: references are not decoded there.
    """
    if page_html.isascii() or _RAW_TEXT.search(page_html):
        return page_html
    return page_html.encode("latin-1", "xmlcharrefreplace").decode("latin-1")


def esc(text: object) -> str:
    """Escape text for HTML element content and quoted attributes.

    Line breaks become character references: a generated page's raw HTML block
    must stay one block whatever the text holds (a blank line would end it).
    """
    text = "" if text is None else str(text)
    if _PLAIN.fullmatch(text):  # most names and values: nothing to escape (one pass, not seven replaces)
        return text
    escaped = html.escape(text, quote=True)
    return escaped.replace("\r", "&#13;").replace("\n", "&#10;")


def md_text(text: object) -> str:
    """Text for a Markdown line (a heading): every character but letters, digits and spaces as a reference.

    Markdown sees no syntax in it at all (no ``*``, ``[``, ``{`` for
    ``attr_list``, no line break), and the page shows the text as written.
    """
    return _ANY.sub(_reference, "" if text is None else str(text))


def _reference(m: re.Match) -> str:
    char = m.group(0)
    return char if _MD_PLAIN.match(char) else f"&#{ord(char)};"


def clean_name(text: str) -> tuple[str, bool]:
    """``text`` without control characters (C0 but tab and newline, DEL, C1), and whether any was removed.

    The caller warns when the flag is true, naming where the name came from.
    """
    cleaned = _CONTROL.sub("", text)
    return cleaned, cleaned != text


def front_matter(title: str) -> str:
    """The front matter of a generated page, as YAML written by a YAML writer.

    ``title`` is HTML-escaped first, since themes put page titles into HTML as
    they are; control characters are removed, so the title is one plain scalar.
    """
    cleaned, _ = clean_name(title)
    return "---\n" + yaml.safe_dump({"title": esc(cleaned)}, allow_unicode=True, width=1 << 20) + "---\n"
