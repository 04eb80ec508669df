"""What records.py says of each row: created, changed, unchanged or invalid, with errors by key."""

from __future__ import annotations

from dataclasses import dataclass, field

CREATED, CHANGED, UNCHANGED, INVALID = "created", "changed", "unchanged", "invalid"
ACTIONS = (CREATED, CHANGED, UNCHANGED, INVALID)


@dataclass
class FieldError:
    field: str  # the row's key ("" for the row as a whole)
    message: str


@dataclass
class Outcome:
    action: str = UNCHANGED
    key: str = ""
    errors: list[FieldError] = field(default_factory=list)
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    id: int | None = None

    def error(self, key: str, message) -> None:
        self.errors.append(FieldError(key, str(message)))
        self.action = INVALID

    @property
    def ok(self) -> bool:
        return not self.errors

    def absorb(self, other: Outcome) -> None:
        """Take in a part of the same row (its unit, its person): errors, changes, and the stronger action."""
        self.errors.extend(other.errors)
        self.changes.update(other.changes)
        if self.errors:
            self.action = INVALID
        elif CREATED in (self.action, other.action):
            self.action = CREATED
        elif CHANGED in (self.action, other.action):
            self.action = CHANGED
