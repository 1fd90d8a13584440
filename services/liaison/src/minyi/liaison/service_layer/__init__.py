"""Liaison's use cases: plain async functions taking its unit of work."""
