"""The website: the MkDocs plugin (the only module that knows MkDocs) and the error preview."""
