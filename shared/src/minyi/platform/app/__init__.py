"""The app assembly room: FastAPI app, health and metrics, audit log, error mapping."""
