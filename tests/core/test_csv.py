"""The one CSV writer (core/csv.py): what someone typed never runs as a formula in another's spreadsheet."""

import csv
import io

import pytest

from core.csv import cell, csv_text


@pytest.mark.parametrize(
    "typed",
    ['=HYPERLINK("http://evil","x")', "+SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1", "\r=1+1"],
)
def test_a_cell_that_would_start_a_formula_is_made_text(typed):
    assert cell(typed) == "'" + typed


@pytest.mark.parametrize("kept", ["+46 70 123 45 67", "-12.50", "070-123 45 67", "Öberg", "", "12", "(08) 555"])
def test_phone_numbers_amounts_and_names_keep_their_text(kept):
    assert cell(kept) == kept


def test_none_is_an_empty_cell_and_numbers_are_their_digits():
    assert cell(None) == "" and cell(7) == "7"


def test_every_cell_of_every_row_goes_through_it():
    text = csv_text(["name", "=header"], [['=cmd|"/c calc"!A1', "@x"], [None, "+46 8 123"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "'=header"], ['\'=cmd|"/c calc"!A1', "'@x"], ["", "+46 8 123"]]


def test_the_separator_of_a_crafted_one_line_file_is_told_at_once():
    """csv.Sniffer on a 100 kB line takes seconds to minutes; the sample it sees is a few kB."""
    import time

    from core.csv import sniff_delimiter

    text = "Serial;Reading\n" + '"x;;;' * 20_000
    started = time.perf_counter()
    assert sniff_delimiter(text) == ";"
    assert time.perf_counter() - started < 2  # a bound on a pathology, not a timing goal
    assert sniff_delimiter("a,b,c\n1,2,3\n") == ","
