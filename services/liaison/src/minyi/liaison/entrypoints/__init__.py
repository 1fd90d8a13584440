"""Liaison's entrypoints: HTTP routes, pages and pollers."""
