"""Pieces every blueprint shares: clock, rendering, security, formatting."""
