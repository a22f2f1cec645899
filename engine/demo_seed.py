"""Moved to `engine.demo.seed` (the demo has its own package); this name stays for the imports
that still use it."""

from engine.demo.seed import (
    DEMO_CASES,
    DEMO_PASSWORD,
    DEMO_USERS,
    demo_scripts,
    seed_cases,
    seed_users,
)

__all__ = ["DEMO_CASES", "DEMO_PASSWORD", "DEMO_USERS", "demo_scripts", "seed_cases", "seed_users"]
