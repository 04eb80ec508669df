"""`flask demo`: associations, people and accounts to try Porch with.

Every account's password is "demo-password". Later issues add their data in
modules beside this one and call them from load_demo().
"""

from __future__ import annotations

from collections.abc import Iterator

from demo.billing import load_billing
from demo.community import load_community
from demo.documents import load_documents
from demo.faults import load_faults
from demo.listings import load_listings
from demo.meters import load_meters
from demo.people import load_people
from demo.portal import ACCOUNTS, ASSOCIATIONS, load_associations, load_units_benchmark
from demo.register import load_register, load_units_benchmark_register
from demo.services import load_settlement
from demo.two_factor import load_two_factor
from demo.votes import load_votes
from models import Association

__all__ = ["load_demo", "load_benchmark", "ACCOUNTS", "ASSOCIATIONS"]


def load_demo() -> Iterator[str]:
    yield from load_associations()
    yield from load_register()
    yield from load_people()
    yield from load_faults()
    yield from load_billing()
    yield from load_meters()
    yield from load_settlement()  # after meters: the water bill is what the main meters measured
    yield from load_documents()
    yield from load_community()
    yield from load_votes()
    yield from load_listings()  # Bøgely, the Danish social housing organisation, with its vacant homes
    yield from load_two_factor()  # last: owners whose accounts the modules above made get the app too


def load_benchmark(units: int, slug: str = "bench") -> Iterator[str]:
    """`flask demo --units N`: an association of N households, each owning a unit."""
    yield load_units_benchmark(units, slug)
    yield load_units_benchmark_register(Association.get(Association.slug == slug), units)
