"""Routing: what a suggestion is about, and which government unit must handle it."""
