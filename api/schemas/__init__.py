"""Pydantic request/response families, one module per resource, apart from the ORM."""
