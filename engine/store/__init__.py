"""Persistence: SQLAlchemy 2 ORM, repositories that flush, and the unit of work that commits."""
