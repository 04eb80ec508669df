"""The residents' one form for all of a unit's meters (M2): a reading and a photo per meter, and for a
reading that looks wrong (lower than the previous one, far above the usual use) the resident's "Yes,
this reading is right".

The fields are named by meter: `reading-<id>`, `photo-<id>`, `confirm-<id>`. The confirmation box carries
the value it confirms, so a resident who confirms and then types another number is asked again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_wtf import FlaskForm

from blueprints.meters import photos, readings
from blueprints.meters.meter_forms import ReadingRefused, parse_reading, show_reading
from blueprints.meters.readings import MeterState
from core.text import lazy_gettext as _l


class HandInCsrf(FlaskForm):
    """The form's CSRF token (its readings are read by HandIn)."""


@dataclass
class Entry:
    """One meter on the form: what was typed, what it means, and what is wrong with it."""

    state: MeterState
    text: str = ""
    value: Decimal | None = None
    flag: str = ""  # what readings.judge said of the value
    confirmed: bool = False
    error: str = ""
    photo: bytes | None = None
    photo_error: str = ""

    @property
    def meter(self):
        return self.state.meter

    @property
    def needs_confirming(self) -> bool:
        return bool(self.flag) and not self.confirmed and not self.error

    @property
    def confirm_value(self) -> str:
        """The confirmation box's value: the reading as typed back, normalised."""
        return "" if self.value is None else f"{self.value.normalize():f}"

    @property
    def unchanged(self) -> bool:
        """The same as already handed in this window: nothing to store."""
        current = self.state.current
        return current is not None and self.value is not None and Decimal(str(current.value)) == self.value


class HandIn:
    """The hand-in form of one unit for one window."""

    def __init__(self, states: list[MeterState], window):
        self.window = window
        self.entries = [Entry(state) for state in states]
        self.errors: list[str] = []

    def for_display(self) -> HandIn:
        """A fresh form: each meter's box holds this window's reading already handed in, to correct."""
        for entry in self.entries:
            if entry.state.current is not None:
                entry.text = show_reading(entry.state.current.value)
        return self

    def read(self, form, files) -> bool:
        """Read the posted form; True when every reading typed may be stored now."""
        for entry in self.entries:
            self._read_entry(entry, form, files)
        known = {f"reading-{entry.meter.id}" for entry in self.entries}
        if any(key.startswith("reading-") and value.strip() and key not in known for key, value in form.items()):
            # A remote-read meter, another unit's, or one no longer in use: not for this form.
            self.errors.append(str(_l("A reading was sent for a meter this form does not take.")))
        typed = [entry for entry in self.entries if entry.value is not None]
        if not typed and not any(entry.error or entry.photo_error for entry in self.entries):
            self.errors.append(str(_l("Type at least one reading.")))
        return not self.errors and not any(
            entry.error or entry.photo_error or entry.needs_confirming for entry in self.entries
        )

    def _read_entry(self, entry: Entry, form, files) -> None:
        meter_id = entry.meter.id
        entry.text = (form.get(f"reading-{meter_id}") or "").strip()[:40]
        try:
            entry.value = parse_reading(entry.text)
        except ReadingRefused as refused:
            entry.error = str(refused.message)
            return
        upload = files.get(f"photo-{meter_id}")
        if photos.chosen(upload):
            if entry.value is None:
                entry.photo_error = str(_l("Type the reading the photo shows."))
            else:
                try:
                    entry.photo = photos.check(upload)
                except photos.PhotoRefused as refused:
                    entry.photo_error = str(refused.message)
        if entry.value is None:
            return
        if entry.unchanged:  # handed in already (and confirmed then, if it needed it): keep its flag
            entry.flag, entry.confirmed = entry.state.current.flag, True
            return
        entry.flag = readings.judge(entry.state, entry.value, self.period_end)
        entry.confirmed = bool(entry.flag) and form.get(f"confirm-{meter_id}") == entry.confirm_value

    @property
    def period_end(self) -> dt.date:
        return self.window.period_end

    @property
    def to_store(self) -> list[Entry]:
        """The entries with a new or changed reading, or a photo for one already handed in."""
        return [e for e in self.entries if e.value is not None and (not e.unchanged or e.photo is not None)]

    @property
    def any_flagged(self) -> bool:
        return any(entry.needs_confirming for entry in self.entries)

    @property
    def any_photo(self) -> bool:
        return any(entry.photo is not None for entry in self.entries)
