"""run_views (being written)."""
