"""Intake's pure domain: the suggestion as filed, its citizen-facing status, tracking codes,
contact data, text hygiene, places, the channels' vocabularies (chat, Open311, signatures)."""
