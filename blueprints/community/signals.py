"""What the discussions tell the rest of the domain, without importing it (no cycles, DESIGN.md):
the posting service calls these listeners inside the transaction that writes the post."""

from __future__ import annotations

from collections.abc import Callable

# f(post) for a new post (not an edit), e.g. the delayed notification mail (notifications.py) and the search index.
on_post_written: list[Callable] = []
# f(post) after a post's text or state changed (an edit, hidden, restored, deleted): the search index follows.
on_post_changed: list[Callable] = []
# f(thread) after a topic moved to another category (its readers changed): the search index follows.
on_thread_moved: list[Callable] = []
