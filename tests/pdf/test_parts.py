"""A book laid out in parts: how it is cut into units, which units a part holds, where it is
cut, and the HTML each part is laid out from. These tests lay nothing out; the PDFs of books in
parts are in test_pdf.py, and the processes that make them in test_layout_process.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.build.workspace import prepare
from generator.pdf import book, parts, pdfjoin

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
EPOCH = "1764201600"


@pytest.fixture(scope="module")
def assembled() -> book.Book:
    return book.assemble(prepare(REPO_ROOT), EPOCH)


def test_the_pieces_make_the_book(assembled: book.Book) -> None:
    chapters = book.chapters(prepare(REPO_ROOT).briefing)
    assert [c.id for c in assembled.chapters] == [c.id for c in chapters]
    joined = assembled.start + assembled.front + "".join(
        c.start + "".join(c.units) + c.end for c in assembled.chapters
    ) + assembled.end
    assert assembled.html == joined
    assert assembled.size == len(joined)
    # Every unit starts with a tag, where a part marks it; a chapter of fact sheets has a unit
    # per sheet, a composed page one per top-level section.
    units = [u for c in assembled.chapters for u in c.units]
    assert all(re.match(r"\s*<[A-Za-z]", u) for u in units)
    by_id = {c.id: c for c in assembled.chapters}
    assert all(u.lstrip().startswith('<article class="sheet">')
               for u in by_id["fact-sheets-actors"].units)
    matrix = by_id["matrix"].units
    assert len(matrix) > 1 and all(u.startswith("<h2") for u in matrix[1:])


def test_a_resumed_chapter_is_the_same_section_without_its_heading(
    assembled: book.Book,
) -> None:
    matrix = next(c for c in assembled.chapters if c.id == "matrix")
    assert matrix.start.strip().startswith('<section class="chapter level-1 wide">')
    assert 'id="matrix"' in matrix.start
    assert matrix.resume.strip() == (
        '<section class="chapter level-1 wide continued" data-running="Position matrix">'
    )
    assert matrix.end.strip() == "</section>"


def test_sections_cut_only_before_top_level_headings() -> None:
    body = (
        "<p>Intro</p>\n<h2>One</h2>\n<p>a</p>\n<div>\n<h2>Inside</h2>\n</div>\n"
        '<h2 id="two">Two</h2>\n<svg><path d="M0 0" /></svg><br />\n'
    )
    assert book.sections(body) == [
        "<p>Intro</p>\n",
        "<h2>One</h2>\n<p>a</p>\n<div>\n<h2>Inside</h2>\n</div>\n",
        '<h2 id="two">Two</h2>\n<svg><path d="M0 0" /></svg><br />\n',
    ]
    assert book.sections("<h2>Only</h2>\n") == ["<h2>Only</h2>\n"]


@pytest.fixture
def index(tmp_path: Path) -> parts.Index:
    parts.write_index(
        tmp_path, "<html><body>", "<nav>front</nav>", "</body></html>",
        [
            ("one", '<section class="chapter"><h1 id="one">One</h1>',
             '<section class="chapter continued">', "</section>",
             ["<article>a \u2022</article>", "<article>b</article>"]),
            ("two", '<section class="chapter"><h1 id="two">Two</h1>',
             '<section class="chapter continued">', "</section>", ["<article>c</article>"]),
        ],
    )
    return parts.Index.read(tmp_path)


def test_units_are_read_back_as_written(index: parts.Index, tmp_path: Path) -> None:
    assert [(u.chapter, u.starts_chapter) for u in index.units] == [
        (0, True), (0, False), (0, False), (1, True), (1, False),
    ]
    assert index.texts(tmp_path, 1, 3) == ["<article>a \u2022</article>", "<article>b</article>"]
    assert index.units[1].size == len("<article>a \u2022</article>")


def test_a_part_holds_what_its_size_allows_and_at_least_one_unit(index: parts.Index) -> None:
    sizes = [u.size for u in index.units]
    assert parts.plan(index.units, 0, 10**6) == len(index.units)
    assert parts.plan(index.units, 0, sizes[0] + sizes[1]) == 2
    assert parts.plan(index.units, 1, 1) == 2  # one unit longer than a part: alone


def test_a_part_that_goes_on_with_a_chapter_resumes_it(
    index: parts.Index, tmp_path: Path
) -> None:
    html = parts.compose(index, index.texts(tmp_path, 2, 5), 2)
    assert html == (
        '<html><body><section class="chapter continued">'
        '<article data-book-unit="2" data-book-unit-first="">b</article></section>'
        '<section data-book-unit="3" class="chapter"><h1 id="two">Two</h1>'
        '<article data-book-unit="4">c</article></section></body></html>'
    )


def test_a_unit_that_does_not_start_with_a_tag_is_refused() -> None:
    with pytest.raises(ValueError, match="does not start with a tag"):
        parts.mark("text first <p>then</p>", "1")


def test_the_probe_puts_every_chapter_on_a_page_with_a_marked_block(
    index: parts.Index,
) -> None:
    assert parts.probe(index) == (
        '<html><body><section class="chapter continued"><div data-book-unit="0"></div>'
        '</section><section class="chapter continued"><div data-book-unit="1"></div>'
        "</section></body></html>"
    )
    assert "break-before: page !important" in parts.PROBE_CSS


def test_marks_are_the_bookmarks_labelled_with_the_mark() -> None:
    found = [(0, f"{parts.MARK} 3", 80.0), (0, "Overview", 80.0), (2, f"{parts.MARK}12", 9.5)]
    assert list(parts.marks(found)) == [(0, 3, 80.0), (2, 12, 9.5)]


def test_a_part_is_cut_before_the_last_unit_that_starts_a_page(index: parts.Index) -> None:
    tops = {0: 80.0, 1: 80.0}
    # Units 0 to 3 laid out on four pages: unit 2 starts page 2, unit 3 (a chapter) page 3.
    found = [(0, 0, 80.0), (0, 1, 300.0), (2, 2, 80.0), (3, 3, 80.0)]
    assert parts.cut(index, found, tops, 0, 4, 4) == (3, 3)
    # ...unless a chapter starts lower on that page: its heading sets the running header.
    found = [(0, 0, 80.0), (0, 1, 300.0), (2, 2, 80.0), (3, 3, 400.0)]
    assert parts.cut(index, found, tops, 0, 4, 4) == (2, 2)
    # Unit 1 starts below the chapter's heading; unit 0 starts the part: neither is a cut.
    found = [(0, 0, 80.0), (0, 1, 300.0), (2, 2, 80.0), (2, 3, 400.0)]
    assert parts.cut(index, found, tops, 0, 4, 4) == (4, 4)


def test_without_a_unit_at_the_top_of_a_page_the_part_is_kept_whole(
    index: parts.Index,
) -> None:
    found = [(0, 0, 80.0), (0, 1, 300.0), (1, 2, 120.0)]
    assert parts.cut(index, found, {0: 80.0}, 0, 3, 3) == (3, 3)
    # The last part is kept whole.
    assert parts.cut(index, [(0, 3, 80.0), (1, 4, 80.0)], {1: 80.0}, 3, 5, 2) == (2, 5)


def test_pages_belong_to_the_chapter_their_text_starts_in(index: parts.Index) -> None:
    found = [(0, 2, 80.0), (1, 3, 80.0), (1, 4, 200.0)]
    assert parts.owners(index, found, 2, 4) == [0, 1, 1, 1]
    # A page on which no unit starts is laid out as the page before; one where a chapter
    # starts below other text as that chapter (which a page break would have to begin if it
    # were laid out otherwise).
    assert parts.owners(index, [(0, 1, 80.0), (2, 3, 300.0)], 1, 3) == [0, 0, 1]


def test_footer_pages_are_laid_out_as_the_books_with_the_chapters_anchors(
    index: parts.Index,
) -> None:
    html = parts.footer_slots(index, [0, 0, 1], [["one"], [], ["two"]])
    assert html == (
        '<section class="chapter continued"><div class="book-slot"><div id="one"></div></div>\n'
        '<div class="book-slot"></div>\n</section>'
        '<section class="chapter continued"><div class="book-slot"><div id="two"></div></div>\n'
        "</section>"
    )


def test_the_outline_nests_by_level() -> None:
    def mark(level: int, label: str) -> pdfjoin.Bookmark:
        return pdfjoin.Bookmark(level, label, 1, 0.0, 0.0, True)

    tree = pdfjoin.outline([mark(1, "a"), mark(2, "a.1"), mark(3, "a.1.1"), mark(2, "a.2"),
                            mark(1, "b"), mark(3, "b.1")])

    def shape(nodes: list) -> list:  # type: ignore[type-arg]
        return [(b.label, shape(children)) for b, children in nodes]

    assert shape(tree) == [
        ("a", [("a.1", [("a.1.1", [])]), ("a.2", [])]),
        ("b", [("b.1", [])]),
    ]
