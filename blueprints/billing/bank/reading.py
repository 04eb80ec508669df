"""Which format a bank file is, told from its content (never from its name or what the board picks)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from blueprints.billing.bank import bgmax, camt, csvfile, gpc
from blueprints.billing.bank.csvfile import Table
from blueprints.billing.bank.statement import BankFileError, Statement
from core.text import lazy_gettext as _l


@dataclass
class Unmapped:
    """A CSV file whose header no mapping knows yet: the board says which column holds what first."""

    table: Table


def read(
    data: bytes,
    *,
    language: str,
    currency: str,
    mapping_for: Callable[[str], dict | None],
) -> Statement | Unmapped:
    """The file's statement; a CSV with an unknown header comes back Unmapped. Raises BankFileError.

    A CSV's mapping is found by its header as first decoded (csvfile.encodings_for); the mapping then says
    in which encoding the file is really read, as the board chose it."""
    if not data.strip():
        raise BankFileError(_l("The file is empty."), "line 1")
    if camt.looks_like(data):
        return camt.parse(data)
    if bgmax.looks_like(data):
        return bgmax.parse(data)
    if gpc.looks_like(data):
        return gpc.parse(data)
    table = csvfile.read_table(data, csvfile.encodings_for(language))
    mapping = mapping_for(table.key)
    if mapping is None:
        return Unmapped(table)
    if (
        mapping.get("encoding", table.encoding) != table.encoding
        or mapping.get("delimiter", table.delimiter) != table.delimiter
    ):
        table = csvfile.read_table(data, (mapping["encoding"],), mapping.get("delimiter", ""))
    return csvfile.parse(table, mapping, currency)
