"""Minyi liaison: deputies, stations, reception days and bookings."""
