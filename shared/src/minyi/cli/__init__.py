"""The ``minyi`` command line."""
