"""Content text made safe for the Markdown pages: every value a template writes goes through
``md_text`` (the Jinja environment's ``finalize``), and the filters here for what needs more
than that (attributes, addresses, front matter, lists, dates). Text always shows as the
characters written; nothing in it is ever read as Markdown or HTML.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from generator.content.dates import PartialDate

# Characters that mean something inline in Markdown (Python-Markdown, tables, footnotes,
# attr_list), escaped with a backslash wherever they occur. '#' too: a heading loses its
# trailing '#'s ("C#" would show as "C").
_INLINE = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()|#"})
# Block markers only matter at the start of a line; text is folded to one line.
_LEADING = re.compile(r"^(\s*)([>+=:-]|\d+[.)](?=\s|$))")
# Invisible direction overrides would let text reorder what readers see around it, and a
# control character has nothing to show (the loader refuses them in content and settings;
# this keeps any other way in from reaching a page). Each is written out as its reference.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters YAML may not read as themselves where a JSON string holds them as they are (a
# byte-order mark, the non-characters); line breaks and controls are gone by then (visible).
_NOT_YAML = re.compile("[\ufeff\ufffe\uffff]")
# Controls a JSON encoder writes as they are (it escapes only those below U+0020).
_JSON_CONTROLS = re.compile("[\x7f-\x9f]")


def visible(value: str) -> str:
    """Content text as a page shows it, before any escaping: whitespace folded to single
    spaces, and invisible controls written out as their character reference (``&#x202e;``),
    as text. Pictures use it too, so they say what the page says."""
    return _INVISIBLE.sub(_reference, " ".join(value.split()))


def _reference(match: re.Match[str]) -> str:
    return f"&#x{ord(match.group()):04x};"


def md_text(value: Any) -> Markup:
    """Escape content text for Markdown and HTML: it always shows as the characters written."""
    if isinstance(value, Markup):
        return value
    if value.__class__ is str:
        return _escaped(value)
    if isinstance(value, PartialDate):
        value = value.display()
    return _escaped(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _escaped(value: str) -> Markup:
    # Names, titles and dates recur on many pages: each is escaped once per process.
    text = visible(value)
    # Quotes stay as written: they mean nothing in Markdown text, and an entity for them would
    # be escaped a second time where MkDocs copies a heading into the table of contents.
    text = html.escape(text, quote=False)
    text = text.translate(_INLINE)
    # Python-Markdown finds "[label]:" definitions (links, footnotes) without honouring "\]",
    # so "a]: b" inside a template's "[...](url)" would define one and hide the line.
    text = text.replace("\\]:", "\\]&#58;")
    text = _LEADING.sub(_escape_leading, text)
    return Markup(text)


def _escape_leading(match: re.Match[str]) -> str:
    space, marker = match.group(1), match.group(2)
    if marker[0].isdigit():  # "1." would start an ordered list; "\1." would show the "\"
        return f"{space}{marker[:-1]}\\{marker[-1]}"
    if marker in "=:":  # Markdown has no backslash escape for these; an entity shows the same
        return f"{space}&#{ord(marker)};"
    return f"{space}\\{marker}"


# One encoder for every page's JSON-LD: json.dumps makes a new one for each call with options.
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, indent=None)


def attr(value: Any) -> Markup:
    """Escape for an HTML attribute value inside a template's own tag."""
    return _attr(str(value))


@functools.lru_cache(maxsize=1 << 12)
def _attr(value: str) -> Markup:
    # Mostly the meanings of labels, written in every label's tooltip.
    return Markup(html.escape(" ".join(value.split()), quote=True))


def json_for_html(data: Any) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' can close the element, and no control
    character is written as itself (U+0085, a line break YAML allows, would be)."""
    text = _JSON.encode(data)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _JSON_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def join(items: Iterable[Any], separator: str = ", ") -> Markup:
    # Jinja's own join would HTML-escape only; content needs Markdown escaping too.
    return Markup(separator).join(md_text(item) for item in items)


def url(value: str) -> Markup:
    """A validated http(s) address, percent-encoded so it cannot end an autolink early, nor
    hold a Markdown link or footnote (``[x](javascript:...)``: Python-Markdown finds links
    before autolinks, even inside one), so brackets and parentheses are encoded too."""
    return Markup(quote(value, safe=":/?#@!$&'*+,;=%~"))


def yaml_str(value: Any) -> Markup:
    """A YAML front-matter scalar: a JSON string, which is YAML too.

    MkDocs and Material write a page's front-matter title into the HTML as it is (``<title>``,
    the header), so ``<`` and ``&`` are escaped first, as md_text does for the page body.
    Quotes stay: Material escapes titles itself where it puts them in attributes. Characters
    beyond ASCII stay as they are: YAML reads JSON's escape of one beyond U+FFFF (a surrogate
    pair) as two lone surrogates, and MkDocs then drops the whole front matter without a word.
    """
    text = json.dumps(html.escape(visible(str(value)), quote=False), ensure_ascii=False)
    return Markup(_NOT_YAML.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def date(value: PartialDate | None, empty: str = "not stated") -> Markup:
    return md_text(value.display()) if value is not None else md_text(empty)
