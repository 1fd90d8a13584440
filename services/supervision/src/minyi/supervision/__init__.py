"""Supervision: the handling case of every assigned suggestion, against its deadlines."""
