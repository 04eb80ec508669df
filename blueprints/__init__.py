"""One blueprint per domain (DESIGN.md)."""
