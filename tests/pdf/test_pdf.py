"""The PDF print edition of the shipped briefing: what a reader finds in it, and how it is made.

The PDF is built once per module (it takes seconds); its text is read back with pdftotext
(poppler-utils) where installed, else with pypdf. The fast tests at the end check the book's
HTML assembly without laying anything out.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fontTools.ttLib import TTFont
from sitekit import make_sample

from generator.build.workspace import Prepared, prepare
from generator.cli import EXIT_OK, main
from generator.content.briefing import Briefing
from generator.content.dates import PartialDate
from generator.pdf import book
from generator.pdf.edition import start, write_pdf
from generator.pdf.parts import PART_SIZE, WHOLE_SIZE
from generator.render import fontmetrics
from generator.render.renderer import SYMBOLS, RenderedPage, md_text, page_path

pypdf = pytest.importorskip("pypdf")

pytestmark = pytest.mark.pdf

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
EPOCH = "1764201600"  # 2025-11-27 00:00 UTC
EDITION = "27 November 2025"
FOOTER = re.compile(r"^page (\d+) of (\d+)$")
TOC_LINE = re.compile(r"^(.+?)\s*\.{3,}\s*(\d+)$")


def flat(text: str) -> str:
    """Whitespace folded: line ends in the PDF are not ends of words."""
    return " ".join(text.split())


def loose(text: str) -> str:
    """Folded, and without hyphens: pdftotext drops a hyphen that ends a line ("28-point"
    broken after "28-" reads back as "28point")."""
    return flat(text).replace("-", "")


def page_texts(path: Path) -> list[str]:
    if shutil.which("pdftotext"):
        out = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            capture_output=True, text=True, check=True, timeout=120,
        ).stdout
        return out.split("\f")[:-1]  # every page ends with a form feed
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


@dataclass
class Built:
    prepared: Prepared
    path: Path
    pages: int
    texts: list[str]  # per page, as extracted
    reader: Any
    parser: str  # which parser read the book's HTML in the layout process
    part_size: int  # the longest part it was laid out in, in characters
    parts: int  # how many parts it was laid out in

    @property
    def briefing(self) -> Briefing:
        return self.prepared.briefing

    @property
    def title(self) -> str:
        return self.prepared.project.settings.title

    def body_lines(self, number: int) -> list[str]:
        """Lines of page ``number`` (1-based) without its running header and footer."""
        running = {self.title} | {c.running or c.title for c in book.chapters(self.briefing)}
        lines = [line.strip() for line in self.texts[number - 1].splitlines() if line.strip()]
        header = 0
        while header < min(2, len(lines)) and lines[header] in running:
            header += 1
        lines = lines[header:]
        return [line for line in lines if not FOOTER.match(line)]

    def body(self) -> str:
        """The book's text with headers and footers taken out, compared ``loose``ly."""
        return loose(" ".join(" ".join(self.body_lines(n)) for n in range(1, self.pages + 1)))

    def contents(self) -> list[tuple[str, int]]:
        """The table of contents as printed: (title, page)."""
        found = [TOC_LINE.match(line) for line in self.body_lines(2)]
        return [(m[1].strip(), int(m[2])) for m in found if m]


@pytest.fixture(scope="module")
def prepared() -> Prepared:
    return prepare(REPO_ROOT)


#: A part size that cuts the shipped book (about 140,000 characters) into some five parts, in
#: the middle of chapters too (a book this short is laid out as one document otherwise). A part
#: is cut where one of its sheets starts a page; the shipped book's actors (since issue 17) start
#: none after their chapter's first page, so parts of 20,000 to 35,000 characters, one of which
#: ends among them, get a page break there that the book as one document has not (as
#: generator/pdf/parts.py says); 40,000 cuts elsewhere.
SMALL_PARTS = 40_000


def build(prepared: Prepared, path: Path, part_size: int = PART_SIZE) -> Built:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        with start(prepared, part_size=part_size, whole_size=min(part_size, WHOLE_SIZE)) as job:
            pages = job.finish(path)
    return Built(prepared, path, pages, page_texts(path), pypdf.PdfReader(path), job.parser,
                 part_size, job.parts)


@pytest.fixture(scope="module")
def whole(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The shipped book, laid out as one document (it is far shorter than a part)."""
    return build(prepared, tmp_path_factory.mktemp("pdf") / "briefing.pdf")


@pytest.fixture(scope="module")
def in_parts(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The shipped book, laid out in small parts and joined (generator/pdf/layout_parts.py)."""
    return build(prepared, tmp_path_factory.mktemp("pdf") / "briefing.pdf", SMALL_PARTS)


@pytest.fixture(scope="module", params=["whole", "in_parts"])
def built(request: pytest.FixtureRequest) -> Built:
    """Each reader-facing test holds for the book as one document and the book in parts."""
    result: Built = request.getfixturevalue(request.param)
    return result


# --- what a reader finds ---------------------------------------------------------------------


@pytest.mark.slow
def test_page_count_is_the_pdfs(built: Built) -> None:
    assert built.pages == len(built.reader.pages) == len(built.texts)
    assert built.pages > 10


@pytest.mark.slow
def test_the_layout_process_reads_the_book_as_xml(built: Built) -> None:
    # The fast path (generator/pdf/polyglot.py); WeasyPrint's own parser would give the same PDF.
    assert built.parser == "xml"


def test_cover_has_title_subtitle_and_dates(built: Built) -> None:
    settings = built.prepared.project.settings
    cover = flat(built.texts[0])
    assert flat(settings.title) in cover
    assert settings.subtitle and flat(settings.subtitle) in cover
    assert built.briefing.as_of is not None
    assert f"Current to {built.briefing.as_of.display()}" in cover
    assert f"Edition of {EDITION}" in cover


@pytest.mark.slow
def test_every_sheet_is_in_print(built: Built) -> None:
    text = built.body()
    briefing = built.briefing
    # Every actor, term and source, and every other sheet, by the name readers know it by.
    names = [briefing.name(sheet_id) for sheet_id in briefing.sheets]
    assert [name for name in names if loose(name) not in text] == []


@pytest.mark.slow
def test_every_fact_is_in_print_with_its_certainty(built: Built) -> None:
    text = built.body()
    missing = [
        f"{c.sheet.id}: {c.fact.text}"
        for c in built.briefing.citations
        if loose(f"{c.fact.text} {SYMBOLS['certainty'][c.fact.certainty]} {c.fact.certainty}")
        not in text
    ]
    assert not missing


@pytest.mark.slow
def test_notes_name_their_sources(built: Built) -> None:
    text = built.body()
    assert "Notes 1." in text
    for source in built.briefing.sources:
        details = [source.title, source.publisher, source.published and source.published.display()]
        assert loose(", ".join(d for d in details if d) + ".") in text


@pytest.mark.slow
def test_sources_list_the_sheets_citing_them(built: Built) -> None:
    destinations = built.reader.named_destinations
    briefing = built.briefing
    for source in briefing.sources:
        entry = destinations[book.anchor(page_path(source))]
        page = built.reader.get_destination_page_number(entry) + 1
        # The source's entry, and the pages after it up to the next chapter.
        end = next((n for _, n in built.contents() if n > page), built.pages + 1)
        listed = loose(" ".join(" ".join(built.body_lines(n)) for n in range(page, end)))
        cited_by = listed[listed.index("Cited by"):]
        for sheet_id in {c.sheet.id for c in briefing.citing(source.id)}:
            assert loose(briefing.name(sheet_id)) in cited_by
            # ...each a link to its sheet, which is in the book.
            assert book.anchor(page_path(briefing.get(sheet_id))) in destinations


@pytest.mark.slow
def test_source_list_writes_out_publisher_date_and_address(built: Built) -> None:
    text = built.body()
    for source in built.briefing.sources:
        assert loose(f"Publisher {source.publisher or 'not stated'}") in text
        published = source.published.display() if source.published else "not stated"
        assert loose(f"Published {published}") in text
        assert loose(f"Address {source.url or 'none given'}") in text


@pytest.mark.slow
def test_contents_page_numbers_are_where_chapters_start(built: Built) -> None:
    contents = built.contents()
    expected = [c.title for c in book.chapters(built.briefing)]
    assert [title for title, _ in contents] == expected
    previous = 0
    for title, page in contents:
        lines = built.body_lines(page)
        # A chapter starts a page; a group of sheets may follow its part's heading.
        assert lines[0] == title or (page == previous and title in lines), (title, page, lines)
        assert page >= previous
        previous = page


@pytest.mark.slow
def test_running_header_and_footer(built: Built) -> None:
    running = {c.title: c.running or c.title for c in book.chapters(built.briefing)}
    first_on_page: dict[int, str] = {}
    for title, page in built.contents():
        first_on_page.setdefault(page, running[title])
    for page, section in first_on_page.items():
        lines = [line.strip() for line in built.texts[page - 1].splitlines() if line.strip()]
        assert lines[:2] == [built.title, section]
    for number, text in enumerate(built.texts, start=1):
        if number == 1:
            assert "page 1 of" not in text  # the cover has no footer
            continue
        assert f"page {number} of {built.pages}" in text


def outline(built: Built) -> list[tuple[int, str, int, float, float]]:
    """The outline as (level, title, page, left, top)."""
    found: list[tuple[int, str, int, float, float]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                page = built.reader.get_destination_page_number(item) + 1
                found.append((level, item.title, page, float(item.left), float(item.top)))

    walk(built.reader.outline, 1)
    return found


@pytest.mark.slow
def test_outline_matches_contents(built: Built) -> None:
    found = outline(built)
    chapters = book.chapters(built.briefing)
    assert [(level, title) for level, title, *_ in found] == [(c.level, c.title) for c in chapters]
    assert [(title, page) for _, title, page, *_ in found] == built.contents()


def links(built: Built) -> list[tuple[int, tuple[float, ...], str]]:
    """Every link inside the book: (page, rectangle, named destination)."""
    found = []
    for number, page in enumerate(built.reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                rectangle = tuple(round(float(v), 3) for v in annotation["/Rect"])
                found.append((number, rectangle, str(annotation["/Dest"])))
    return found


@pytest.mark.slow
def test_every_link_lands_on_its_target(built: Built) -> None:
    """Cross-references, note marks and the contents all point at a named destination, on a
    page that shows the heading of the sheet or chapter they name."""
    destinations = built.reader.named_destinations
    headings = {c.id: c.title for c in book.chapters(built.briefing)}
    headings |= {book.anchor(page_path(s)): built.briefing.name(s.id)
                 for s in built.briefing.sheets.values()}
    checked = 0
    for page, _, name in links(built):
        assert name in destinations, (page, name)
        target = built.reader.get_destination_page_number(destinations[name]) + 1
        if name in headings:
            assert loose(headings[name]) in loose(built.texts[target - 1]), (page, name, target)
            checked += 1
    assert checked > 100


@pytest.mark.slow
def test_a_book_in_parts_is_the_book_as_one_document(whole: Built, in_parts: Built) -> None:
    """Cut where the book turns a page anyway and joined, the parts give the same book: each
    page's text, the outline, every named destination and every link, where they were."""
    assert whole.parts == 1
    assert in_parts.parts > 3
    assert in_parts.pages == whole.pages
    assert in_parts.texts == whole.texts
    assert in_parts.contents() == whole.contents()
    assert len(in_parts.contents()) > 5
    assert outline(in_parts) == outline(whole)

    def points(built: Built) -> dict[str, tuple[int, float, float]]:
        return {
            name: (built.reader.get_destination_page_number(d) + 1, float(d.left), float(d.top))
            for name, d in built.reader.named_destinations.items()
        }

    assert points(in_parts) == points(whole)
    assert links(in_parts) == links(whole)


@pytest.mark.slow
def test_metadata(built: Built) -> None:
    settings = built.prepared.project.settings
    info = built.reader.metadata
    assert info.title == settings.title
    assert info.subject == settings.subtitle
    assert info["/CreationDate"].startswith("D:20251127000000")
    assert info["/ModDate"] == info["/CreationDate"]
    assert built.reader.trailer["/Root"]["/Lang"] == settings.language


def _resources(obj: Any) -> Iterator[Any]:
    """A page's resources and those of every form (pictures are drawn in forms)."""
    resources = obj.get("/Resources")
    if resources is None:
        return
    resources = resources.get_object()
    yield resources
    for xobject in resources.get("/XObject", {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            yield from _resources(xobject)
        else:
            yield xobject


@pytest.mark.slow
def test_fonts_are_embedded(built: Built) -> None:
    fonts: dict[str, bool] = {}
    for page in built.reader.pages:
        for resources in _resources(page):
            for font in resources.get("/Font", {}).values():
                font = font.get_object()
                if font.get("/Subtype") == "/Type0":
                    font = font["/DescendantFonts"][0].get_object()
                descriptor = font.get("/FontDescriptor")
                files = ("/FontFile", "/FontFile2", "/FontFile3")
                embedded = descriptor is not None and any(
                    key in descriptor.get_object() for key in files
                )
                fonts[str(font.get("/BaseFont"))] = embedded
    assert fonts
    assert all(fonts.values()), fonts
    assert all("DejaVu" in name for name in fonts), fonts


@pytest.mark.slow
def test_streams_are_compressed_at_zlibs_default_level(built: Built) -> None:
    """Level 6, not pydyf's 9: a third of the time for 2 % more bytes (generator/pdf/worker.py)."""
    data = built.path.read_bytes()
    streams = re.findall(rb"/FlateDecode.*?>>\nstream\n(.*?)\nendstream", data, re.S)
    assert len(streams) > 10
    for raw in streams:
        assert zlib.compress(zlib.decompress(raw), 6) == raw


@pytest.mark.slow
def test_pictures_are_vectors(built: Built) -> None:
    images = [
        x for page in built.reader.pages for x in _resources(page) if x.get("/Subtype") == "/Image"
    ]
    assert images == []
    # The timeline's month axis exists only in its picture: drawn as text, it reads back.
    timeline = dict(built.contents())["Timeline"]
    axis = re.findall(
        r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b",
        "\n".join(built.body_lines(timeline)),
    )
    assert axis


_WORD = re.compile(r'<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" '
                   r'yMax="([0-9.]+)">([^<]*)</word>')


@pytest.mark.slow
def test_graph_labels_print_at_least_7_points(built: Built) -> None:
    """Every word of the relationship graph, on the page it prints on, is at least 7 pt: read
    with its box by pdftotext -bbox, whose box is the font size times DejaVu Sans' ascent plus
    descent. The graph's words are those between the chapter's intro and its first heading."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (scripts/test.sh does)")
    figure = next(p for p in built.prepared.pages if p.path == "actors/index.md").markdown
    drawn = re.search(r'<figure class="[^"]*briefing-graph[^"]*"[^>]*>.*?</figure>', figure)
    assert drawn
    labels = {word for text in re.findall(r"<text[^>]*>([^<]*)</text>", drawn[0])
              for word in html.unescape(text).split()}
    number = dict(built.contents())["Who's who"]
    bbox = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-bbox",
                           str(built.path), "-"],
                          capture_output=True, text=True, check=True, timeout=120).stdout
    words = [(float(m[2]), float(m[4]), html.unescape(m[5])) for m in _WORD.finditer(bbox)]
    intro = max(bottom for top, bottom, word in words if word == "whom:")
    heading = built.briefing.sides()[0][0].split()[0]
    below = min(top for top, bottom, word in words if word == heading and top > intro)
    graph = [(word, bottom - top) for top, bottom, word in words if intro < top < below]
    assert {word for word, _ in graph} == labels, "the graph's words are not all on its page"
    font = TTFont(fontmetrics._font_file())
    em = (font["hhea"].ascent - font["hhea"].descent) / font["head"].unitsPerEm
    sizes = {word: height / em for word, height in graph}
    smallest = min(sizes, key=lambda w: sizes[w])
    assert sizes[smallest] >= 7.0, f"{smallest!r} prints at {sizes[smallest]:.2f} pt"


@pytest.fixture(scope="module")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runnable copy of the sample project (tests/cases/sample): every kind of sheet, both
    pictures and the wide position matrix in half the pages. The tests of how a PDF is
    written (its bytes, its paper) lay it out instead of the shipped briefing: that takes
    about twice the CPU time and proves nothing more about paper."""
    return make_sample(tmp_path_factory.mktemp("pdf-sample") / "project")


@pytest.mark.slow
def test_same_content_and_epoch_give_the_same_bytes(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    again = tmp_path / "again.pdf"
    sizes = {"part_size": built.part_size, "whole_size": min(built.part_size, WHOLE_SIZE)}
    assert write_pdf(built.prepared, again, **sizes) == built.pages
    assert again.read_bytes() == built.path.read_bytes()
    # Writing the same bytes again leaves the file alone.
    mtime = again.stat().st_mtime_ns
    write_pdf(built.prepared, again, **sizes)
    assert again.stat().st_mtime_ns == mtime


@pytest.mark.slow
def test_a4_by_default_and_letter_from_the_command(
    built: Built,
    sample_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def size(page: Any) -> tuple[int, int]:
        box = page.mediabox
        return round(float(box.width)), round(float(box.height))

    assert size(built.reader.pages[0]) == (595, 842)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # restored afterwards; the CLI sets it
    output = tmp_path / "letter.pdf"
    # The paper is the command's, whatever the content: the sample's few pages show it.
    code = main(["--root", str(sample_root), "pdf", "--output", str(output), "--paper", "letter"])
    out = capsys.readouterr().out
    assert code == EXIT_OK, out
    letter = pypdf.PdfReader(output)
    assert f"wrote {output} ({len(letter.pages)} pages)" in out
    assert size(letter.pages[0]) == (612, 792)
    # Wide chapters (the position matrix) are laid out on landscape pages of the same paper.
    assert (792, 612) in {size(page) for page in letter.pages}


# --- the book's HTML, without layout -----------------------------------------------------------


@pytest.fixture(scope="module")
def assembled(prepared: Prepared) -> book.Book:
    return book.assemble(prepared, EPOCH)


def test_links_inside_the_book_all_land(assembled: book.Book) -> None:
    ids = re.findall(r'\sid="([^"]*)"', assembled.html)
    assert len(ids) == len(set(ids)), "ids must be unique across pages"
    targets = re.findall(r'\s(?:xlink:)?href="#([^"]*)"', assembled.html)
    assert targets
    assert sorted(set(targets) - set(ids)) == []
    # Nothing points at a file: no site-relative link and no absolute path survives.
    assert re.findall(r'\s(?:xlink:)?href="(?!#|https?:|mailto:)[^"]*"', assembled.html) == []
    assert str(REPO_ROOT) not in assembled.html


def test_contents_is_the_chapter_list(prepared: Prepared, assembled: book.Book) -> None:
    chapters = book.chapters(prepared.briefing)
    assert [(c.level, c.title, c.id) for c in chapters] == list(assembled.contents)
    assert [c.title for c in chapters if c.level == 1][:7] == [
        "Overview", "The plan and its terms", "Position matrix", "Who's who", "Timeline",
        "Open questions", "Sources",
    ]


def test_every_sheet_page_is_in_the_book(prepared: Prepared) -> None:
    in_book = {path for c in book.chapters(prepared.briefing) for path in c.pages}
    sheet_pages = {p.path for p in prepared.pages if p.source}
    assert sheet_pages - in_book == set()


def test_pictures_pass_through_as_inline_svg(prepared: Prepared, assembled: book.Book) -> None:
    site = sum(p.markdown.count("<svg") for p in prepared.pages if p.path.endswith("index.md"))
    assert site > 0
    assert assembled.html.count("<svg") >= site
    # Graphviz sizes its pictures in pt, which WeasyPrint would not scale in proportion.
    assert not re.search(r'<svg\b[^>]*\s(?:width|height)="[0-9.]+pt"', assembled.html)


def test_a_bare_svg_block_is_kept_as_it_is() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>a_b*c*</text></svg>'
    page = RenderedPage("events/index.md", f"# Timeline\n\n{svg}\n\nAfter.\n", "Timeline")
    html = book.PageConverter(["events/index.md"]).convert(page, shift=0, drop_title=True)
    assert svg in html
    assert "<p><svg" not in html


def test_content_text_that_looks_like_markup_prints_as_written() -> None:
    text = 'Said id="x" and href="../y.md" and url(#z) width="3pt"'
    page = RenderedPage("actors/a.md", f"# A\n\n{md_text(text)}\n", "A")
    html = book.PageConverter(["actors/a.md"]).convert(page, shift=0, drop_title=True)
    assert html == f"<p>{text}</p>"


def test_links_become_anchors_and_ids_get_the_page_prefix() -> None:
    markdown = (
        "# Kirill\n\n## Facts\n\n"
        "- Met [Witkoff](steve-witkoff.md) and [the plan](../plans/p.md#facts).[^s]\n"
        '- <a href="../../events/e/">Event</a>, [PDF](../briefing.pdf), <https://example.org/x>\n\n'
        "[^s]: [Source](../sources/s.md), 2025.\n"
    )
    page = RenderedPage("actors/kirill.md", markdown, "Kirill")
    included = ["actors/kirill.md", "actors/steve-witkoff.md", "plans/p.md", "events/e.md",
                "sources/s.md"]
    html = book.PageConverter(included).convert(page, shift=2, drop_title=False)
    assert '<h3 id="actors-kirill">Kirill</h3>' in html
    assert '<h4 id="actors-kirill--facts">Facts</h4>' in html
    assert 'href="#actors-steve-witkoff" data-xref=""' in html
    assert 'href="#plans-p--facts"' in html
    assert 'href="#events-e"' in html
    assert 'href="#sources-s" data-xref=""' in html
    assert 'href="#actors-kirill--fn:s"' in html and 'id="actors-kirill--fn:s"' in html
    assert "<a>PDF</a>" in html  # a file the book does not hold: the text stays, the link goes
    assert 'href="https://example.org/x"' in html


def test_markdown_extensions_are_the_sites() -> None:
    config = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    site: dict[str, Any] = {}
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        site[name] = options or {}
    assert tuple(site) == book.MARKDOWN_EXTENSIONS
    assert {k: v for k, v in site.items() if v} == book.MARKDOWN_CONFIGS


def test_edition_date_is_the_epochs_day() -> None:
    assert book.edition_date(EPOCH) == PartialDate(2025, 11, 27)
    assert book.edition_date("0").display() == "1 January 1970"


def test_labels_have_glyphs_in_the_print_font() -> None:
    """Every certainty and stance symbol is drawn by DejaVu Sans, the labels' font."""
    ttfont = pytest.importorskip("fontTools.ttLib")
    if not shutil.which("fc-match"):
        pytest.skip("fontconfig not installed")
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True, check=True
    ).stdout
    cmap = ttfont.TTFont(path).getBestCmap()
    symbols = {s for table in SYMBOLS.values() for s in table.values()}
    assert sorted(s for s in symbols if any(ord(ch) not in cmap for ch in s)) == []


@pytest.mark.slow
def test_no_fact_breaks_after_its_first_word(built: Built) -> None:
    """WeasyPrint 70 broke a line after its first word when only the space before a label
    overflowed ("Sat" alone, "down with Witkoff ..." below); print_markup avoids it."""
    early = []
    for number in range(1, built.pages + 1):
        lines = built.body_lines(number)
        for line, following in zip(lines, lines[1:], strict=False):
            if re.fullmatch(r"[•◦▪]\s*\S+", line) and following[:1].islower():
                early.append((number, line, following))
    assert early == []


def test_a_label_after_text_keeps_its_space_as_a_margin() -> None:
    html = book.print_markup('<li>Said. <span class="certainty certainty-reported">r</span></li>')
    assert html == '<li>Said.<span class="after-text certainty certainty-reported">r</span></li>'
    # A label that starts a cell or follows a tag is left as it is.
    cell = '<td><span class="certainty certainty-reported">r</span></td>'
    assert book.print_markup(cell) == cell


@pytest.mark.slow
def test_what_changed_is_the_appendix(built: Built) -> None:
    from generator.editorial.history import content_history

    history = content_history(REPO_ROOT, limit=1)
    chapters = [c.title for c in book.chapters(built.briefing)]
    assert chapters[-1] == "What changed"
    appendix = built.body()
    if history.available:  # a git checkout: the newest content commit is listed
        assert f"Commit {history[0].short}" in appendix
    else:
        assert loose("has no git history") in appendix


def test_list_markers_and_notes_are_printed_as_text() -> None:
    """Markers are text at the start of each item (no marker boxes to lay out); notes keep
    their numbered links, without the backlinks and <sup> wrappers print does not show."""
    markdown = (
        "# A\n\n- One[^s]\n    - Inner\n        - Deep\n- Two[^s]\n\nBetween.[^t]\n\n"
        "1. Third\n\n2. Fourth\n\n[^s]: The source.\n\n[^t]: First part.\n\n    Second part.\n"
    )
    page = RenderedPage("actors/a.md", markdown, "A")
    html = book.PageConverter(["actors/a.md"]).convert(page, shift=0, drop_title=True)
    bullet, circle, square = book.BULLETS
    assert f"<li>{bullet}\u00a0One" in html and f"<li>{bullet}\u00a0Two" in html
    assert f"<li>{circle}\u00a0Inner" in html and f"<li>{square}\u00a0Deep" in html
    # A loose list's items are paragraphs: the marker starts the paragraph.
    assert "<li>\n<p>1.\u00a0Third</p>" in html and "<li>\n<p>2.\u00a0Fourth</p>" in html
    # A note: numbered as text, linked from the text, not back; one paragraph is the item's
    # text itself, two stay paragraphs.
    assert '<li id="actors-a--fn:s">1.\u00a0The source.</li>' in html, html
    assert re.search(
        r'<li id="actors-a--fn:t">\s*<p>2\.\u00a0First part\.</p>\s*<p>Second part\.</p>\s*</li>',
        html,
    ), html
    assert html.count('<a class="footnote-ref" href="#actors-a--fn:s">1</a>') == 2
    assert "footnote-backref" not in html and "<sup" not in html and "<hr" not in html
    assert "fnref" not in html
    # Raw HTML lists are numbered from where they start.
    ordered = '<ol start="3"><li>c</li></ol>'
    assert book.print_markup(ordered) == '<ol start="3"><li>3.\u00a0c</li></ol>'


def test_print_drops_tooltips_but_not_svg_titles() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>T</title></svg>'
    markdown = f'# A\n\n<span class="certainty" title="Said once.">x</span>\n\n{svg}\n'
    page = RenderedPage("actors/a.md", markdown, "A")
    html = book.PageConverter(["actors/a.md"]).convert(page, shift=0, drop_title=True)
    assert 'title="' not in html and "<title>T</title>" in html


def test_only_ids_something_points_at_are_kept(prepared: Prepared, assembled: book.Book) -> None:
    """Every id is a WeasyPrint anchor and a named destination: the book keeps the chapters',
    every page's own, and those a link, a picture or a label points at."""
    ids = set(re.findall(r'\sid="([^"]*)"', assembled.html))
    pointed = set(re.findall(r'\s(?:xlink:)?href="#([^"]*)"', assembled.html))
    pointed |= set(re.findall(r"url\(#([^)\s]+)\)", assembled.html))
    for labels in re.findall(r'\saria-(?:labelledby|describedby)="([^"]*)"', assembled.html):
        pointed |= set(labels.split())
    chapters = book.chapters(prepared.briefing)
    named = {c.id for c in chapters} | {book.anchor(p) for c in chapters for p in c.pages}
    assert named <= ids
    assert ids - pointed - named == set()
    assert "whos-who--node1" not in ids  # a Graphviz node's own id
