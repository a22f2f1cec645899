"""One module per resource; each route parses, authorises, calls one engine.services function."""
