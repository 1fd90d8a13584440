"""The consuming room: how messages become handled events — the retry, hold and
dead-letter policy, held-message heartbeats, and the connection to NATS."""
