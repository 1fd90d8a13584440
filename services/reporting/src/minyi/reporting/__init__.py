"""Reporting: read models rebuilt from events (timelines, statistics, heat maps)."""
