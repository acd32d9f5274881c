"""The book's HTML read by an XML parser, when that gives the tree an HTML5 parser gives.

WeasyPrint parses HTML with tinyhtml5, written in Python: 2.8 s of a 36 s PDF at 1,000 sheets
(4 MB of HTML), where expat, in C, reads the same text in 0.1 s, and this module's checks
take 0.3 s more. The book is generated, and its markup is polyglot: HTML5 that is also
well-formed XML and means the same to both parsers (void elements closed with ``/>``, other
elements closed by their end tags, tables with their row groups, SVG with its ``xmlns``).
For such a document the two trees are the same.

``parse`` returns that tree only when it can tell the two parsers agree, and raises
``NotPolyglot``, saying why, when it cannot: at any markup the HTML5 tree builder would repair,
reorder or read differently (a block inside a paragraph, a row outside a row group, a named
entity, a comment, an element this module does not know...). The caller then hands the text
to WeasyPrint as it is, so the worst this module can do is make no difference. The rules
follow the HTML Standard's tree construction (section 13.2.6); tests/pdf/test_polyglot.py holds
each against tinyhtml5.

Stdlib only, with tinyhtml5's own tables of SVG attribute spellings (WeasyPrint's parser).
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any, cast
from xml.parsers.expat import ErrorString

# WeasyPrint's parser's own tables of how SVG's attributes are spelled
from tinyhtml5.constants import adjust_foreign_attributes, adjust_svg_attributes

from generator.errors import BriefingError

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XMLNS = "http://www.w3.org/2000/xmlns/"

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
# Elements the HTML5 parser builds as written, in the places the rules below allow.
PHRASING = frozenset(
    "a abbr b bdi br cite code del dfn em i img ins kbd mark q s samp small span strong sub sup "
    "time u var".split()
)
FLOW = frozenset(
    "article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header "
    "hr li main nav ol p pre section ul".split()
)
TABLE = frozenset("table caption colgroup col thead tbody tfoot tr th td".split())
HEAD = frozenset("meta title".split())
BODY = PHRASING | FLOW | TABLE  # what the body may hold
HTML_ELEMENTS = BODY | HEAD | {"html", "head", "body"}
HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# What each table part may hold (anything else is moved out of the table, or wrapped in a
# row group or a row the parser makes up).
TABLE_CHILDREN = {
    "table": frozenset("caption colgroup thead tbody tfoot".split()),
    "thead": frozenset({"tr"}),
    "tbody": frozenset({"tr"}),
    "tfoot": frozenset({"tr"}),
    "tr": frozenset({"th", "td"}),
    "colgroup": frozenset({"col"}),
}
# SVG elements whose names are all lower case in SVG (HTML5 lower-cases then re-cases a few,
# such as linearGradient: those are left to tinyhtml5), and which hold no HTML.
SVG_ELEMENTS = frozenset(
    "svg a g defs symbol use rect circle ellipse line polyline polygon path text tspan title "
    "desc marker".split()
)
SVG_HOLDING_HTML = frozenset({"title", "desc"})  # HTML integration points: text only here
# Namespace declarations HTML5 reads as such, and the attribute each becomes in its tree.
DECLARATIONS = {("", SVG): f"{{{XMLNS}}}xmlns", ("xlink", XLINK): f"{{{XMLNS}}}xlink"}
# Attributes HTML5 puts in a namespace on SVG elements, as XML does (xlink:href, xml:lang...).
FOREIGN_ATTRIBUTES = frozenset(
    f"{{{namespace}}}{local}"
    for prefix, local, namespace in adjust_foreign_attributes.values()
    if prefix in {"xlink", "xml"}
)
SPACE = " \t\n\f\r"  # HTML's whitespace; str.isspace would take more

_DOCTYPE = re.compile(r"\A[ \t\n\f\r]*<!doctype html>", re.IGNORECASE)
# Markup the two parsers read apart, found before parsing: a comment, a CDATA section or a
# processing instruction; an end tag for a void element (HTML reads </br> as <br>); a numeric
# reference in 128-159 (HTML reads those as Windows-1252); a raw tab or line break in an
# attribute value (XML turns it into a space).
_DIFFERENT = re.compile(
    r"<!--|<!\[CDATA\[|<\?"
    rf"|</(?:{'|'.join(sorted(VOID))})[\s>]"
    r"|&#(?:0*1(?:2[89]|[3-5][0-9])|[xX]0*[89][0-9a-fA-F]);"
    r"""|=\s*(?:"[^"<>]*[\t\n\r]|'[^'<>]*[\t\n\r])"""
)
# A tag closed with "/>": HTML ignores the slash except on void and foreign elements.
_SELF_CLOSED = re.compile(r"<([A-Za-z][^\s/>]*)[^<>]*/>")


class NotPolyglot(BriefingError):
    """The text may read differently as XML and as HTML; the message says where."""


def parse(html: str) -> ET.Element:
    """The tree tinyhtml5 would make of ``html``: HTML elements without a namespace, SVG ones
    in SVG's. Raises NotPolyglot where this module cannot be sure of that tree."""
    if not _DOCTYPE.match(html):
        raise NotPolyglot("it does not start with <!DOCTYPE html>")
    different = _DIFFERENT.search(html)
    if different:
        raise NotPolyglot(f"it has {different.group(0)!r}")
    for match in _SELF_CLOSED.finditer(html):
        if match.group(1) in HTML_ELEMENTS and match.group(1) not in VOID:
            raise NotPolyglot(f"HTML does not close {match.group(0)!r}")
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "start-ns"))
    try:
        parser.feed(html)
        parser.close()
    except ET.ParseError as error:
        # Just what expat found: the pull parser's line numbers are off.
        raise NotPolyglot(f"it is not well-formed XML: {ErrorString(error.code)}") from None
    root: ET.Element | None = None
    declared: list[tuple[str, str]] = []
    for event, item in cast("Iterator[tuple[str, Any]]", parser.read_events()):
        if event == "start-ns":
            declared.append(cast("tuple[str, str]", item))
            continue
        element = cast(ET.Element, item)
        if root is None:
            root = element  # the first element to start
        if declared:
            _declare(element, declared)
            declared = []
    assert root is not None  # XML that expat read has an element
    _check_document(root)
    _place_document_whitespace(root, html)
    return root


def _declare(element: ET.Element, declared: list[tuple[str, str]]) -> None:
    """HTML5 keeps an SVG element's namespace declarations as attributes."""
    for declaration in declared:
        if declaration not in DECLARATIONS or not element.tag.startswith(f"{{{SVG}}}"):
            raise NotPolyglot(f"<{_name(element)}> declares the namespace {declaration}")
        element.set(DECLARATIONS[declaration], declaration[1])


def _check_document(root: ET.Element) -> None:
    """Raise NotPolyglot unless the HTML5 tree builder, given the same text, builds this tree."""
    if root.tag != "html" or [child.tag for child in root] != ["head", "body"]:
        raise NotPolyglot("it is not <html> holding <head> and <body>")
    head, body = root
    for element in (root, head, body):
        _check_attributes(element)
    if not _blank(root.text) or not _blank(head.tail) or not _blank(body.tail):
        raise NotPolyglot("it has text outside <head> and <body>")
    if not _blank(head.text) or any(not _blank(child.tail) for child in head):
        raise NotPolyglot("it has text in <head>")
    for child in head:
        if child.tag not in HEAD or len(child):
            raise NotPolyglot(f"<head> holds <{_name(child)}>, or <{_name(child)}> holds more")
        _check_attributes(child)
    _check_html(body, frozenset())


def _check_html(element: ET.Element, open_: frozenset[str]) -> None:
    """An HTML element's content, given the elements open around it that change how HTML5
    reads what follows (a paragraph, a link, a heading)."""
    tag = element.tag
    parts = TABLE_CHILDREN.get(tag)
    if parts is not None and (
        not _blank(element.text) or any(not _blank(child.tail) for child in element)
    ):
        raise NotPolyglot(f"<{tag}> holds text outside a cell (HTML moves it out of the table)")
    if tag == "pre" and (element.text or "").startswith("\n"):
        raise NotPolyglot("<pre> starts with a line break (HTML drops it)")
    for child in element:
        name = _name(child)
        if child.tag.startswith(f"{{{SVG}}}"):
            # Only <svg> enters SVG from HTML; in a table it would be moved out of it.
            if name != "svg" or parts is not None:
                raise NotPolyglot(f"<{tag}> holds SVG's <{name}>")
            _check_svg(child)
            continue
        if name not in BODY:
            raise NotPolyglot(f"<{tag}> holds <{name}>, which this module does not know")
        _check_attributes(child)
        if parts is not None and name not in parts:
            raise NotPolyglot(f"<{tag}> holds <{name}> (HTML moves or wraps it)")
        if parts is None and name in TABLE and name != "table":
            raise NotPolyglot(f"<{tag}> holds <{name}> outside a table (HTML drops it)")
        if "p" in open_ and name not in PHRASING:
            raise NotPolyglot(f"<p> holds <{name}> (HTML ends the paragraph before it)")
        if name == "li" and tag not in {"ul", "ol"} or name in {"dt", "dd"} and tag != "dl":
            raise NotPolyglot(f"<{tag}> holds <{name}> (HTML may end an item before it)")
        if name == "a" and "a" in open_ or name in HEADINGS and "heading" in open_:
            raise NotPolyglot(f"<{name}> inside another (HTML ends the outer one)")
        inner = open_
        if name in {"p", "a"}:
            inner = inner | {name}
        elif name in HEADINGS:
            inner = inner | {"heading"}
        elif name in {"td", "th", "caption"}:
            inner = inner - {"a"}  # a cell is a marker: an <a> outside it does not reach in
        _check_html(child, inner)


def _check_svg(element: ET.Element) -> None:
    """An SVG element and what it holds: SVG elements the HTML5 parser names the same."""
    name = _name(element)
    if name not in SVG_ELEMENTS:
        raise NotPolyglot(f"SVG's <{name}>, which this module does not know")
    if name in SVG_HOLDING_HTML and len(element):
        raise NotPolyglot(f"SVG's <{name}> holds elements (HTML reads them as HTML)")
    for attribute in element.attrib:
        if attribute.startswith("{"):
            if attribute not in FOREIGN_ATTRIBUTES and not attribute.startswith(f"{{{XMLNS}}}"):
                raise NotPolyglot(f"SVG's <{name}> has the attribute {attribute}")
        elif _svg_attribute(attribute) != attribute:
            raise NotPolyglot(f"SVG's <{name}> has {attribute}, which HTML spells otherwise")
    for child in element:
        if not child.tag.startswith(f"{{{SVG}}}"):
            raise NotPolyglot(f"SVG's <{name}> holds <{_name(child)}>")
        _check_svg(child)


@functools.cache
def _svg_attribute(name: str) -> str:
    """How HTML5 spells an attribute of an SVG element written ``name``."""
    lowered = name.lower()
    spelled: str = adjust_svg_attributes.get(lowered, lowered)
    return spelled


def _check_attributes(element: ET.Element) -> None:
    """HTML lower-cases attribute names and gives none a namespace."""
    for attribute in element.attrib:
        if attribute.startswith("{") or attribute != attribute.lower():
            raise NotPolyglot(f"<{_name(element)}> has {attribute}, which HTML reads otherwise")


def _name(element: ET.Element) -> str:
    """An element's name without its namespace (the parser keeps no comments)."""
    return element.tag.rpartition("}")[2]


def _blank(text: str | None) -> bool:
    return not text or not text.strip(SPACE)


def _place_document_whitespace(root: ET.Element, html: str) -> None:
    """Whitespace around the head and body goes where HTML5 puts it.

    Before the head it is dropped; between head and body it stays (the head's tail); after
    the body, and after the document's end tag, it is the body's last text.
    """
    root.text = None
    body = root[1]
    trailing = (body.tail or "") + _after_root(html)
    body.tail = None
    if trailing:
        if len(body):
            last = body[-1]
            last.tail = (last.tail or "") + trailing
        else:
            body.text = (body.text or "") + trailing


def _after_root(html: str) -> str:
    end = html.rfind("</html>")
    return html[end + len("</html>") :] if end >= 0 else ""
