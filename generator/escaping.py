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

from generator.dates import PartialDate

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
    """JSON safe inside <script>: no '<', '>' or '&' can close the element."""
    text = _JSON.encode(data)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def join(items: Iterable[Any], separator: str = ", ") -> Markup:
    # Jinja's own join would HTML-escape only; content needs Markdown escaping too.
    return Markup(separator).join(md_text(item) for item in items)


def url(value: str) -> Markup:
    """A validated http(s) address, percent-encoded so it cannot end an autolink early, nor
    hold a Markdown link or footnote (``[x](javascript:...)``: Python-Markdown finds links
    before autolinks, even inside one), so brackets and parentheses are encoded too."""
    return Markup(quote(value, safe=":/?#@!$&'*+,;=%~"))


def yaml_str(value: Any) -> Markup:
    """A YAML front-matter scalar: JSON strings are valid YAML and escape everything.

    MkDocs and Material write a page's front-matter title into the HTML as it is (``<title>``,
    the header), so ``<`` and ``&`` are escaped first, as md_text does for the page body.
    Quotes stay: Material escapes titles itself where it puts them in attributes.
    """
    return Markup(json.dumps(html.escape(visible(str(value)), quote=False)))


def date(value: PartialDate | None, empty: str = "not stated") -> Markup:
    return md_text(value.display()) if value is not None else md_text(empty)
