"""The defsearch web UI: a thin Flask layer over the search package (see web.app)."""
