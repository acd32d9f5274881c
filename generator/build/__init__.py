"""The build: from the content to written pages, incrementally, atomically, one build at a time."""
