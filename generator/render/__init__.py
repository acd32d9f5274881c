"""Rendering: the Briefing to Markdown pages and SVG pictures, through the Jinja templates."""
