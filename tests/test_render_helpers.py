"""Helpers the templates call on every page: fast, and the same as the slow originals."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from generator.render import md_text, relative_path

part = st.sampled_from(["actors", "terms", "index.md", "x.md", "a", "b"])
path = st.lists(part, min_size=0, max_size=3).map("/".join)


@given(target=path.filter(bool), here=path)
def test_relative_path_is_posixpath_relpath(target: str, here: str) -> None:
    assert relative_path(target, here) == posixpath.relpath(target, here or ".")


def test_escaping_is_the_same_when_remembered() -> None:
    text = "C# & <b>[x](javascript:alert(1))</b> 1. item"
    first, second = md_text(text), md_text(text)
    assert first == second == (
        "C\\# &amp; &lt;b&gt;\\[x\\]\\(javascript:alert\\(1\\)\\)&lt;/b&gt; 1. item"
    )
