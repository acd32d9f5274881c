"""The timeline in print: the axis labels of a long span do not overlap on the page (their boxes
as pdftotext reads them from the PDF), as on the site; and the events are listed in their
order, a vague one with its narrowed span in words.

The sample project (tests/cases/sample) with events added so that its timeline spans about 27
months (the span that piled labels on top of each other) or twenty years."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from sitekit import EPOCH, EPOCH_DAY, make_sample

from generator.build.workspace import prepare
from generator.pdf.edition import write_pdf

pytestmark = [pytest.mark.pdf, pytest.mark.slow]

#: Events added to the sample (whose own run from late October to 1 December 2025).
SPANS = {
    "27 months": ["2023-09", "early 2024", "2024-06-15", "mid 2025"],
    "20 years": ["2006", "2011-03", "2017-07-04", "mid 2021"],
}

_WORD = re.compile(r'<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" '
                   r'yMax="([0-9.]+)">([^<]*)</word>')


def _book(root: Path, dates: list[str], path: Path) -> tuple[list[str], str]:
    """Lay out the sample with events on ``dates``; the axis labels the timeline drew."""
    for n, date in enumerate(dates):
        sheet = {"id": f"added-event-{n}", "date": date, "title": f"Added round {n}",
                 "facts": [{"text": "It took place.", "sources": ["wire-report"],
                            "certainty": "reported"}]}
        (root / "content" / "events" / f"added-event-{n}.yml").write_text(
            yaml.safe_dump(sheet, sort_keys=False), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        prepared = prepare(root, EPOCH_DAY)
        write_pdf(prepared, path)
    timeline = next(p.markdown for p in prepared.pages if p.path == "events/index.md")
    group = re.search(r'<g class="timeline-axis"[^>]*>(.*?)</g>', timeline)
    assert group
    labels = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", group[1])]
    return labels, timeline


def _pages(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils (scripts/test.sh does)")
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                         text=True, check=True, timeout=120).stdout
    return [[(float(m[1]), float(m[2]), float(m[3]), float(m[4]), html.unescape(m[5]))
             for m in _WORD.finditer(page)] for page in out.split("<page ")[1:]]


@pytest.mark.parametrize("span", SPANS)
def test_printed_axis_labels_do_not_overlap(span: str, tmp_path: Path) -> None:
    """Every word of the axis, found on the printed page in the order drawn, on one line, each
    word's box ending before the next begins."""
    labels, _ = _book(make_sample(tmp_path / "p"), SPANS[span], tmp_path / "book.pdf")
    assert len(labels) >= 4, labels
    tokens = [word for label in labels for word in label.split()]
    found = None
    for words in _pages(tmp_path / "book.pdf"):
        texts = [w[4] for w in words]
        for i in range(len(texts) - len(tokens) + 1):
            if texts[i:i + len(tokens)] == tokens:
                found = words[i:i + len(tokens)]
                break
        if found:
            break
    assert found, f"the axis {labels} is not on any page"
    assert max(w[1] for w in found) - min(w[1] for w in found) < 0.5, "labels on two lines"
    for (_, _, right, _, text), (left, _, _, _, following) in zip(found, found[1:],
                                                                  strict=False):
        assert right <= left, f"{text!r} runs into {following!r}: {found}"


def test_printed_timeline_lists_a_vague_event_in_its_order(tmp_path: Path) -> None:
    _, timeline = _book(make_sample(tmp_path / "p"), [], tmp_path / "book.pdf")
    text = " ".join(" ".join(w[4] for w in page) for page in _pages(tmp_path / "book.pdf"))
    talks = text.index("late October 2025: Harbour talks in Porttown")
    draft = text.index("late 2025: The draft accord is circulated to both sides", talks)
    words = text.index("By the order of events: late October to 1 December 2025, after Harbour "
                       "talks in Porttown, before Deadline for the Harbour Accord.", draft)
    assert text.index("1 December 2025: Deadline for the Harbour Accord", words)
