"""resident_views (being written)."""
