"""The book's HTML read by expat gives the tree WeasyPrint's HTML5 parser gives, or is left to
that parser, saying why (generator/pdf/polyglot.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import tinyhtml5
from sitekit import EPOCH, EPOCH_DAY, make_sample

from generator.build.workspace import prepare, source_date_epoch
from generator.escaping import md_text
from generator.pdf import book, polyglot
from generator.pdf import worker as layout
from generator.render.renderer import RenderedPage

REPO_ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.pdf

DOCUMENT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>A &amp; B</title>
</head>
<body>
{}
</body>
</html>
"""

SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


def shape(element: Any, depth: int = 0) -> list[tuple[Any, ...]]:
    """Every element of a tree in document order: depth, name, attributes, text and tail."""
    found = [(depth, element.tag, dict(element.attrib), element.text, element.tail)]
    for child in element:
        found += shape(child, depth + 1)
    return found


def html5(html: str) -> Any:
    """The tree WeasyPrint's parser makes (weasyprint.HTML calls it so)."""
    return tinyhtml5.parse(html, namespace_html_elements=False)


def plain_xml(html: str) -> ET.Element:
    """What expat alone makes of a text, whitespace placed as polyglot places it."""
    root = ET.fromstring(html)
    polyglot._place_document_whitespace(root, html)
    return root


READ_ALIKE = {
    "text and entities": "<p>A &amp; B &lt;c&gt; &#39;d&#39; &#x2014; &quot;e&quot;</p>\n",
    "lists and a definition list": (
        "<ul>\n<li>one <em>1</em></li>\n<li>two\n<ol><li>a</li></ol></li>\n</ul>\n"
        "<dl><dt>x</dt><dd>y <span class=\"note\">z</span></dd></dl>"
    ),
    "a table with its row groups": (
        "<table>\n<thead>\n<tr><th>a</th><th></th></tr>\n</thead>\n"
        "<tbody>\n<tr><td><a href=\"#x\">x</a><br />y</td><td>\n</td></tr>\n</tbody>\n</table>"
    ),
    "SVG with xlink": (
        '<figure><svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" role="group">'
        '<title>t</title><g><a xlink:href="#a" xlink:title="A"><rect x="1" y="1" '
        'width="2" height="2" /></a><text x="1" y="5" text-anchor="middle" '
        'xml:space="preserve">A &amp; B</text></g></svg></figure>'
    ),
    "SVG in a paragraph and a link": (
        f'<p><a href="#x"><svg {SVG_NS}><path d="M0 0" /></svg></a></p>'
    ),
    "a link in a cell in a link": (
        '<a href="#x"><table><tbody><tr><td><a href="#y">y</a></td></tr></tbody></table></a>'
    ),
    "a preformatted block": "<pre><code>x\n  y\n</code></pre>",
    "an empty body": "",
}


@pytest.mark.parametrize("body", READ_ALIKE.values(), ids=READ_ALIKE.keys())
def test_polyglot_markup_gives_the_html5_tree(body: str) -> None:
    html = DOCUMENT.format(body) + "\n \n"
    assert shape(polyglot.parse(html)) == shape(html5(html))


# Markup each rule turns away (a body, or a whole document), with what it says: the HTML5
# parser builds another tree from it than expat does (checked below), or expat cannot read it.
READ_APART = {
    "a doctype declaring entities": (
        '<!DOCTYPE html [<!ENTITY x "y">]><html><head></head><body><p>&x;</p></body></html>',
        "it does not start with <!DOCTYPE html>",
    ),
    "a comment": ("<p>a<!-- b -->c</p>", "it has '<!--'"),
    "a processing instruction": ("<?x y?><p>a</p>", "it has '<?'"),
    "an end tag for a void element": ("<p>a<br></br>b</p>", "it has '</br>'"),
    "a Windows-1252 reference": ("<p>a&#150;b</p>", "it has '&#150;'"),
    "a line break in an attribute": (
        '<p title="a\nb">c</p>',
        "it has '=\"a\\n'",
    ),
    "a self-closed div": ("<div />x", "HTML does not close '<div />'"),
    "a named entity": (
        "<p>a&nbsp;b</p>",
        "it is not well-formed XML: undefined entity",
    ),
    "a block in a paragraph": (
        "<p>a<div>b</div>c</p>",
        "<p> holds <div> (HTML ends the paragraph before it)",
    ),
    "a row outside a row group": (
        "<table><tr><td>a</td></tr></table>",
        "<table> holds <tr> (HTML moves or wraps it)",
    ),
    "text in a table": (
        "<table>a<tbody><tr><td>b</td></tr></tbody></table>",
        "<table> holds text outside a cell (HTML moves it out of the table)",
    ),
    "a cell outside a table": (
        "<div><td>a</td></div>",
        "<div> holds <td> outside a table (HTML drops it)",
    ),
    "a list item in a list item": (
        "<ul><li>a<li>b</li></li></ul>",
        "<li> holds <li> (HTML may end an item before it)",
    ),
    "a link in a link": (
        '<a href="#a">a<a href="#b">b</a></a>',
        "<a> inside another (HTML ends the outer one)",
    ),
    "a heading in a heading": (
        "<h2>a<h3>b</h3></h2>",
        "<h3> inside another (HTML ends the outer one)",
    ),
    "a line break after pre": ("<pre>\na</pre>", "<pre> starts with a line break (HTML drops it)"),
    "an element this module does not know": (
        "<textarea>\na</textarea>",
        "<body> holds <textarea>, which this module does not know",
    ),
    "upper case": ('<p CLASS="x">a</p>', "<p> has CLASS, which HTML reads otherwise"),
    "an XHTML namespace": (
        '<div xmlns="http://www.w3.org/1999/xhtml">a</div>',
        "<div> declares the namespace ('', 'http://www.w3.org/1999/xhtml')",
    ),
    "SVG without its namespace": (
        "<svg><rect /></svg>",
        "<body> holds <svg>, which this module does not know",
    ),
    "an SVG element outside SVG": (f"<p><rect {SVG_NS} /></p>", "<p> holds SVG's <rect>"),
    "SVG in a table": (
        f"<table><svg {SVG_NS}></svg><tbody></tbody></table>",
        "<table> holds SVG's <svg>",
    ),
    "an SVG name HTML re-cases": (
        f"<svg {SVG_NS}><lineargradient /></svg>",
        "SVG's <lineargradient>, which this module does not know",
    ),
    "an SVG attribute HTML re-cases": (
        f'<svg {SVG_NS} viewbox="0 0 1 1"></svg>',
        "SVG's <svg> has viewbox, which HTML spells otherwise",
    ),
    "HTML in SVG": (
        f"<svg {SVG_NS}><span>a</span></svg>",
        "SVG's <span>, which this module does not know",
    ),
    "HTML in an SVG title": (
        f"<svg {SVG_NS}><title><b>a</b></title></svg>",
        "SVG's <title> holds elements (HTML reads them as HTML)",
    ),
    "text in the head": (
        "<!DOCTYPE html><html><head><title>t</title>x</head><body><p>a</p></body></html>",
        "it has text in <head>",
    ),
}


@pytest.mark.parametrize(("body", "why"), READ_APART.values(), ids=READ_APART.keys())
def test_markup_the_parsers_read_apart_is_left_to_html5(body: str, why: str) -> None:
    html = body if body.startswith("<!DOCTYPE") else DOCUMENT.format(body)
    with pytest.raises(polyglot.NotPolyglot) as caught:
        polyglot.parse(html)
    assert str(caught.value) == why
    # The rule is needed: where expat reads the text at all, its tree is not HTML5's.
    try:
        alone = plain_xml(html)
    except ET.ParseError:
        return
    assert shape(alone) != shape(html5(html))


def test_content_that_looks_like_markup_keeps_the_book_polyglot() -> None:
    """Content text is escaped, so no fact can take the book off the fast path."""
    texts = [
        "x ]]> y", "<!-- c -->", "&#150; &nbsp; &amp", "<br> </br> <div/>", "a\tb",
        'said x="a\nb"', "<?php ?> <![CDATA[x]]>", "*no emphasis* [no link](x) `no code`",
    ]
    markdown = "# A\n\n" + "\n\n".join(f"- {md_text(text)}" for text in texts) + "\n"
    page = RenderedPage("actors/a.md", markdown, "A")
    body = book.PageConverter(["actors/a.md"]).convert(page, shift=0, drop_title=True)
    html = DOCUMENT.format(body)
    assert shape(polyglot.parse(html)) == shape(html5(html))
    assert "]]&gt;" in html and "&lt;!-- c --&gt;" in html


@pytest.fixture(scope="module")
def assembled() -> book.Book:
    prepared = prepare(REPO_ROOT)
    return book.assemble(prepared, source_date_epoch(REPO_ROOT))


def test_the_shipped_book_is_polyglot(assembled: book.Book) -> None:
    """If a template change makes the book's markup read differently, the PDF gets slower
    (WeasyPrint's parser takes 7 % of a 1,000-sheet book) but stays right: this test says."""
    assert shape(polyglot.parse(assembled.html)) == shape(html5(assembled.html))


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory: pytest.TempPathFactory) -> book.Book:
    """The sample project's book (tests/cases/sample): every chapter, template and picture of
    the shipped one in half the pages. Laid out twice below; the shipped book's trees are
    compared above, so laying the shipped book out twice as well adds time, not proof."""
    root = make_sample(tmp_path_factory.mktemp("polyglot") / "project")
    return book.assemble(prepare(root, today=EPOCH_DAY), EPOCH)


@pytest.mark.slow
def test_a_document_read_either_way_gives_the_same_pdf(sample_book: book.Book) -> None:
    import weasyprint

    css = [weasyprint.CSS(string=layout.page_css("a4") + book.stylesheet(REPO_ROOT / "briefings"))]
    fast, parser = layout.html_document(sample_book.html)
    assert parser == "xml"
    html5_read = weasyprint.HTML(string=sample_book.html, url_fetcher=layout._refusing_fetcher())
    assert vars(fast).keys() == vars(html5_read).keys()
    assert fast.base_url == html5_read.base_url
    pdfs = [d.render(stylesheets=css).write_pdf(pdf_identifier=True) for d in (fast, html5_read)]
    assert pdfs[0] == pdfs[1]


def test_markup_that_is_not_polyglot_goes_to_weasyprints_parser() -> None:
    document, parser = layout.html_document(DOCUMENT.format("<p>a&nbsp;b</p>"))
    assert parser == "html5: it is not well-formed XML: undefined entity"
    assert document.etree_element.find("body/p").text == "a\xa0b"


def test_a_large_synthetic_book_is_polyglot(tmp_path: Path) -> None:
    """Markup the shipped content does not make (several positions in a matrix cell,
    relations, superseded plans...) comes from the synthetic briefing of the benchmarks."""
    from benchmarks import synth

    synth.make_project(tmp_path, 150, check=False)
    html = book.assemble(prepare(tmp_path), source_date_epoch(tmp_path)).html
    assert shape(polyglot.parse(html)) == shape(html5(html))
