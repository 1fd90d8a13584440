"""Liaison's adapters: its store (all of its SQL), files, notifier, QR codes, calendars."""
