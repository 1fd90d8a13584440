"""Intake's pure domain: tracking codes, contact data, text hygiene, places, PII vault."""
