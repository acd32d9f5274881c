"""Reading and checking the content: YAML fact sheets in, a checked, cross-referenced
Briefing out."""
