"""The speed-ups on dependencies' internals (``generator.pdf.dependency_internals``).

These tests fail loudly when a dependency changes under a speed-up: when an installed version
leaves the range a reach was verified on (the reach is then off, and the PDF only slower), and
when what a reach relies on is no longer there or no longer behaves as it did.
"""

from __future__ import annotations

import resource
import sys
import zlib
from collections.abc import Callable

import pytest

from generator.pdf import dependency_internals as internals
from generator.pdf import worker as layout

SMALL = "<!DOCTYPE html><html lang=\"en\"><head><title>T</title></head><body>{}</body></html>"


@pytest.mark.parametrize("name", sorted(internals.REACHES))
def test_every_reach_is_on_with_the_versions_installed(name: str) -> None:
    """If this fails, a dependency was upgraded past what the reach was verified on: check
    that the other tests here pass with the new version and that ``benchmarks/run.py`` still
    shows the gain, then widen the range in ``REACHES`` and the versions in ARCHITECTURE.md
    (or remove the reach)."""
    assert internals.why_off(name) is None
    assert name in internals.ON


def test_a_version_outside_the_range_turns_a_reach_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(internals, "installed", lambda dependency: (0, 14, 0))
    assert internals.why_off("serialise_once") == (
        "pydyf 0.14.0 is outside the versions it was verified on (at least 0.13, below 0.14)"
    )
    monkeypatch.setattr(internals, "installed", lambda dependency: None)
    assert internals.why_off("document_from_tree") == "weasyprint is not installed"


def test_reaches_that_are_off_leave_the_dependencies_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pydyf

    monkeypatch.setattr(internals, "ON", frozenset())
    with internals.streams_at_default_level():
        assert pydyf.zlib is zlib
    stream = pydyf.Stream([b"x"])
    pdf = pydyf.PDF()
    pdf.add_object(stream)
    internals.serialise_once(None, pdf)
    assert type(stream) is pydyf.Stream
    assert internals.roomy_call(lambda: 42) == 42
    assert internals.document_from_tree(None, None) is None
    document, parser = layout.html_document(SMALL.format("<p>text</p>"))
    assert parser == "html5: it was turned off"
    monkeypatch.setattr(internals, "installed", lambda dependency: (71, 0))
    document, parser = layout.html_document(SMALL.format("<p>text</p>"))
    assert parser == ("html5: weasyprint 71.0 is outside the versions it was verified on "
                      "(at least 70, below 71)")


# --- pydyf -----------------------------------------------------------------------------------


def test_pydyfs_streams_are_compressed_at_zlibs_default_level_while_asked() -> None:
    import pydyf

    text = b"".join(b"%d some words that compress " % n for n in range(5000))
    assert zlib.compress(text, 9) != zlib.compress(text, 6)  # else this test cannot fail

    def compressed() -> bytes:
        data: bytes = pydyf.Stream([text], compress=True).data
        return data.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]

    assert pydyf.zlib is zlib  # what the reach swaps
    assert compressed() == zlib.compress(text, 9)  # pydyf's own level, without the reach
    with internals.streams_at_default_level():
        assert compressed() == zlib.compress(text, 6)
    assert pydyf.zlib is zlib


def test_serialising_each_object_once_gives_the_same_bytes() -> None:
    import weasyprint

    html = SMALL.format("<h1>Title</h1>" + "<p>Some text.</p>" * 200)
    document = weasyprint.HTML(string=html).render()
    plain = document.write_pdf(pdf_identifier=True)
    once = document.write_pdf(pdf_identifier=True, finisher=internals.serialise_once)
    assert once == plain
    assert b"/ID [" in once


def test_serialising_once_works_each_objects_bytes_out_once() -> None:
    import pydyf

    calls = []
    original = pydyf.Dictionary.data
    assert isinstance(original, property)  # what the reach replaces, per object

    class Counting(pydyf.Dictionary):  # type: ignore[misc]
        @property
        def data(self) -> bytes:
            calls.append(1)
            return original.fget(self)  # type: ignore[misc]

    pdf = pydyf.PDF()
    page = Counting({"Type": "/Page"})
    pdf.add_object(page)
    internals.serialise_once(None, pdf)
    assert page.data == page.data == b"<</Type /Page>>"
    assert len(calls) == 1


# --- WeasyPrint --------------------------------------------------------------------------------


def test_weasyprint_is_handed_the_tree_expat_read() -> None:
    import weasyprint

    # What the reach sets are the attributes WeasyPrint's own constructor sets.
    made = vars(weasyprint.HTML(string=SMALL.format("<p>x</p>")))
    assert {"wrapper_element", "etree_element"} <= made.keys()
    document, parser = layout.html_document(SMALL.format("<p>from the tree</p>"))
    assert parser == "xml"
    assert document.etree_element.find("body/p").text == "from the tree"
    pages = document.render().pages
    assert len(pages) == 1


# --- CPython -----------------------------------------------------------------------------------


def _bounce(depth: int) -> int:
    return 0 if depth == 0 else _bounce(depth - 1) + 1


def _page_faults(function: Callable[[], object]) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    function()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_recursion_in_a_roomy_frame_maps_no_frame_stack_chunks() -> None:
    # 300 frames of _bounce take more than one 16 KB chunk of CPython's frame stack: going
    # down and back up crosses a chunk's edge both ways, 2,000 times.
    def down_and_up() -> None:
        for _ in range(2000):
            _bounce(300)

    down_and_up()  # anything made once (code caches) is made now
    assert _page_faults(lambda: internals.roomy_call(down_and_up)) < 100
    if sys.version_info < (3, 13):  # before CPython kept a chunk back (gh-142183)
        assert _page_faults(down_and_up) > 2000
