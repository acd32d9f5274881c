"""Briefing-site generator: YAML fact sheets -> validated model -> Markdown pages, site and PDF.

One sub-package per stage, imports pointing one way (ARCHITECTURE.md maps them): ``content``
reads and checks the sheets and builds the model, ``render`` turns it into Markdown and
pictures, ``build`` runs the stages and writes, ``site`` is the MkDocs plugin (the only code
that knows MkDocs), ``pdf`` the print edition (its layout process the only code that knows
WeasyPrint), ``editorial`` the editors' git tools, ``reference`` the generated docs. ``cli`` is
the only module that prints or exits.
"""

from __future__ import annotations

__version__ = "0.1.0"
