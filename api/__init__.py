"""The HTTP API (FastAPI) over engine.services."""
