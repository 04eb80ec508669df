"""Community (SPEC C): discussions below documents and in topics, their moderation, and mass mail."""

from core.access import association_blueprint

bp = association_blueprint("community", __name__)

# --- discussions: nav ---

# --- moderation: nav ---

# --- mass mail: nav ---
