"""board_views (being written)."""
