"""Briefing-site generator: YAML fact sheets -> validated model -> Markdown pages, site and PDF.

The pipeline runs top to bottom: ``loader`` -> ``validate`` -> ``model`` -> ``render`` ->
``write``. ``cli`` is the only module that prints or exits, ``plugin`` the only one that knows
MkDocs, ``layout`` (run by ``pdf`` in a process of its own) the only one that knows WeasyPrint.
"""

from __future__ import annotations

__version__ = "0.1.0"
