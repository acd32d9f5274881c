"""Editors' tools over git: what changed between revisions, the history page's data, new sheets."""
