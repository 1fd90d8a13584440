"""Platform glue every Minyi service uses: settings, database, outbox, inbox, messaging,
health and telemetry. No business logic lives here."""
