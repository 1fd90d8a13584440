"""Liaison's rules: pure, no I/O."""
