"""report_views (being written)."""
