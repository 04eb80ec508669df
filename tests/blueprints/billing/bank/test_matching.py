"""Matching bank credits to invoices: by reference in each national standard (check digits first), references
found in the message, and suggestions by amount and name."""

from __future__ import annotations

import datetime as dt

import pytest

from blueprints.billing.bank import matching
from blueprints.billing.bank.matching import Matcher, likeness
from blueprints.billing.bank.statement import Entry
from models.billing import BillingSettings, Invoice
from tests.factories.billing import make_billing, make_invoice, make_payment

DAY = dt.date(2026, 12, 3)


def credit(amount=10000, reference="", message="", name="", currency=None, kind="credit", association=None):
    return Entry(
        kind=kind,
        booked_on=DAY,
        amount=amount,
        currency=currency or association.currency,
        reference=reference,
        message=message,
        payer_name=name,
    )


@pytest.fixture
def payer(app, alpha, make_person):
    return make_person(alpha, given_name="Jan", surname="Novák")


def invoice(alpha, person, reference, amount=10000):
    return make_invoice(alpha, person, lines=[("Fee", amount, 0)], reference=reference)


def matcher(alpha, standard, **settings) -> Matcher:
    make_billing(alpha, reference_standard=standard, **settings)
    return Matcher(alpha, BillingSettings.for_association(alpha))


@pytest.mark.parametrize(
    ("standard", "settings", "stored", "sent", "matched"),
    [
        (BillingSettings.EE, {}, "10016", "10016", True),
        (BillingSettings.EE, {}, "10016", "0010016", True),  # the bank's leading zeros
        (BillingSettings.EE, {}, "10017", "10017", False),  # a wrong 7-3-1 check digit is never trusted
        (BillingSettings.FI, {}, "10016", "1 0016", True),
        (BillingSettings.SE_OCR, {"ocr_length_digit": True}, "100164", "100164", True),
        (BillingSettings.SE_OCR, {"ocr_length_digit": True}, "10017", "10017", False),  # Luhn right, no length digit
        (BillingSettings.SE_OCR, {}, "10017", "10017", True),
        (BillingSettings.SE_OCR, {}, "10018", "10018", False),  # a wrong Luhn digit
        (BillingSettings.CZ_VS, {}, "1001", "0000001001", True),  # GPC pads the symbol with zeros
        (BillingSettings.CZ_VS, {}, "1001", "VS:1001", True),
        (BillingSettings.CZ_VS, {}, "1001", "1002", False),
        (BillingSettings.RF, {}, "RF401001", "RF40 1001", True),
        (BillingSettings.RF, {}, "RF401001", "rf401001", True),
        (BillingSettings.RF, {}, "RF411001", "RF411001", False),  # a wrong mod-97 check
    ],
)
def test_a_structured_reference_matches_in_the_associations_standard(
    alpha, payer, standard, settings, stored, sent, matched
):
    named = invoice(alpha, payer, stored)
    outcome = matcher(alpha, standard, **settings).match(credit(reference=sent, association=alpha))
    if matched:
        assert (outcome.state, outcome.why, outcome.invoice.id) == (matching.MATCHED, matching.BY_REFERENCE, named.id)
        assert outcome.person_id == payer.id
    else:
        assert outcome.state == matching.UNMATCHED and outcome.invoice is None


@pytest.mark.parametrize(
    ("standard", "stored", "message", "matched"),
    [
        (BillingSettings.EE, "10029", "arve 10029 tasumine", True),
        (BillingSettings.EE, "10029", "korter 12, aasta 2026", False),  # numbers, but none a valid reference
        (BillingSettings.FI, "1234561", "viite 12 34561", True),  # printed in groups of five
        (BillingSettings.RF, "RF131002", "Payment RF13 1002 thanks", True),
        (BillingSettings.CZ_VS, "1002", "platba VS 1002 prosinec", True),
        (BillingSettings.CZ_VS, "1002", "/VS/1002/SS//KS/0308", True),
        (BillingSettings.CZ_VS, "1002", "1002", True),  # the message is the number alone
        (BillingSettings.CZ_VS, "1002", "najem 1002 prosinec", False),  # a number without "VS" is no symbol
        (BillingSettings.SE_OCR, "100263", "Avgift + 100263", True),
    ],
)
def test_a_reference_found_in_the_message(alpha, payer, standard, stored, message, matched):
    named = invoice(alpha, payer, stored)
    # The payer is the recipient and pays part of the invoice: a number in the message is trusted (below).
    sent = credit(amount=5000, message=message, name="Jan Novák", association=alpha)
    outcome = matcher(alpha, standard).match(sent)
    if matched:
        assert (outcome.state, outcome.why, outcome.invoice.id) == (matching.MATCHED, matching.BY_MESSAGE, named.id)
    else:
        assert outcome.state == matching.UNMATCHED


@pytest.mark.parametrize(
    ("standard", "stored", "name", "amount", "message", "state"),
    [
        # Kati writes her address; its postcode passes the 7-3-1 check and is Jan's invoice's reference.
        (BillingSettings.EE, "10029", "Kati Karu", 5000, "Kati Karu, Pärnu mnt 5-12, 10029 Tallinn", "suggested"),
        (BillingSettings.EE, "10029", "", 5000, "arve 10029", "suggested"),  # no name to agree with
        (BillingSettings.EE, "10029", "NOVAK JAN", 10001, "arve 10029", "suggested"),  # more than is open
        (BillingSettings.EE, "10029", "NOVAK JAN", 10000, "arve 10029", "matched"),
        (BillingSettings.SE_OCR, "100263", "Kati Karu", 5000, "Avgift 100263", "suggested"),
        (BillingSettings.CZ_VS, "1002", "Kati Karu", 5000, "platba VS 1002", "suggested"),
        (BillingSettings.RF, "RF131002", "Kati Karu", 5000, "Payment RF13 1002", "matched"),  # mod 97 is trusted
    ],
)
def test_a_number_in_the_message_books_only_with_a_like_name_and_no_more_than_is_open(
    alpha, payer, standard, stored, name, amount, message, state
):
    named = invoice(alpha, payer, stored)
    outcome = matcher(alpha, standard).match(credit(amount=amount, message=message, name=name, association=alpha))
    assert (outcome.state, outcome.why, outcome.invoice.id) == (state, matching.BY_MESSAGE, named.id)


def test_a_suggestion_by_amount_and_name_comes_before_one_from_the_message(alpha, payer, make_person):
    invoice(alpha, payer, "10029")
    kati = make_person(alpha, given_name="Kati", surname="Karu")
    hers = invoice(alpha, kati, "", amount=20000)
    outcome = matcher(alpha, BillingSettings.EE).match(
        credit(amount=20000, message="Pärnu mnt 5-12, 10029 Tallinn", name="Kati Karu", association=alpha)
    )
    assert (outcome.state, outcome.why, outcome.invoice.id) == (
        matching.SUGGESTED,
        matching.BY_AMOUNT_AND_NAME,
        hers.id,
    )


def test_a_paid_invoice_is_still_named_by_its_reference(alpha, payer):
    named = invoice(alpha, payer, "10016")
    make_payment(named, 10000)
    outcome = matcher(alpha, BillingSettings.EE).match(credit(reference="10016", association=alpha))
    assert outcome.state == matching.MATCHED and outcome.invoice.id == named.id


def test_a_credit_note_is_never_named(alpha, payer):
    make_invoice(alpha, payer, lines=[("Back", -10000, 0)], kind=Invoice.CREDIT_NOTE, reference="10016")
    outcome = matcher(alpha, BillingSettings.EE).match(credit(reference="10016", association=alpha))
    assert outcome.state == matching.UNMATCHED


def test_debits_reversals_and_other_currencies_are_not_booked(alpha, payer):
    invoice(alpha, payer, "10016")
    found = matcher(alpha, BillingSettings.EE)
    assert found.match(credit(reference="10016", kind="debit", association=alpha)).why == matching.IS_DEBIT
    assert found.match(credit(reference="10016", kind="reversal", association=alpha)).why == matching.IS_REVERSAL
    other = found.match(credit(reference="10016", currency="EUR", association=alpha))  # alpha keeps SEK
    assert (other.state, other.why) == (matching.NOT_BOOKED, matching.OTHER_CURRENCY)


def test_a_seen_entry_is_a_duplicate_whatever_it_would_match(alpha, payer):
    invoice(alpha, payer, "10016")
    outcome = matcher(alpha, BillingSettings.EE).match(credit(reference="10016", association=alpha), seen_in=7)
    assert (outcome.state, outcome.seen_in) == (matching.DUPLICATE, 7)


# --- suggestions ----------------------------------------------------------------------------------


def test_same_amount_and_a_similar_name_is_a_suggestion(alpha, make_person):
    kati = make_person(alpha, given_name="Kati", surname="Karu")
    other = make_person(alpha, given_name="Peeter", surname="Pood")
    invoice(alpha, other, "", amount=20000)
    expected = invoice(alpha, kati, "", amount=20000)
    found = matcher(alpha, BillingSettings.EE)
    outcome = found.match(credit(amount=20000, name="KARU KATI", message="üür", association=alpha))
    assert (outcome.state, outcome.why, outcome.invoice.id) == (matching.SUGGESTED, matching.BY_AMOUNT_AND_NAME,
                                                                 expected.id)  # fmt: skip
    assert found.match(credit(amount=20001, name="Kati Karu", association=alpha)).state == matching.UNMATCHED
    assert found.match(credit(amount=20000, name="Anu Saar", association=alpha)).state == matching.UNMATCHED
    assert found.match(credit(amount=20000, name="", association=alpha)).state == matching.UNMATCHED


def test_a_suggestion_takes_the_outstanding_amount_and_the_oldest_of_equals(alpha, make_person):
    kati = make_person(alpha, given_name="Kati", surname="Karu")
    partly = invoice(alpha, kati, "", amount=30000)
    make_payment(partly, 10000)  # 200.00 left
    make_invoice(alpha, kati, lines=[("Fee", 20000, 0)], due_date=dt.date(2026, 12, 31))
    outcome = matcher(alpha, BillingSettings.EE).match(credit(amount=20000, name="Kati Karu", association=alpha))
    assert outcome.state == matching.SUGGESTED and outcome.invoice.id == partly.id


@pytest.mark.parametrize(
    ("payer", "recipient", "alike"),
    [
        ("NOVAK JAN", "Jan Novák", True),
        ("J. Novák", "Jan Novák", True),
        ("Novak Jan a Jana", "Jan Novák", True),
        ("Brf Solrosen", "Åsa Öberg", False),
        ("Asa Oberg", "Åsa Öberg", True),
        ("Anna Svenson", "Anna Svensson", True),
        ("", "Anna Svensson", False),
    ],
)
def test_names_are_alike_with_accents_case_and_order_aside(payer, recipient, alike):
    assert (likeness(payer, recipient) >= matching.NAME_LIKENESS) is alike
