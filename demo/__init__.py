"""`flask demo`: associations, people and accounts to try Porch with.

Every account's password is "demo-password". Later issues add their data in
modules beside this one and call them from load_demo().
"""

from __future__ import annotations

from collections.abc import Iterator

from demo.portal import ACCOUNTS, ASSOCIATIONS, load_associations, load_units_benchmark

__all__ = ["load_demo", "load_units_benchmark", "ACCOUNTS", "ASSOCIATIONS"]


def load_demo() -> Iterator[str]:
    yield from load_associations()
