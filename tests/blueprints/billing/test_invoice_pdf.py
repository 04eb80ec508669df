"""Invoice PDFs as a payer reads them (SPEC B3): text, payment code and fonts, checked with poppler and zbar.

Each invoice is rendered in every language Porch ships, read back with
`pdftotext -layout`, and its first page is rasterised with `pdftoppm` so the
payment QR code can be decoded with `zbarimg` and compared with the exact
string payment_codes.qr_payload() builds.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from flask_babel import force_locale

from blueprints.billing import invoice_pdf, payment_codes, references
from config import Config
from core import images
from core import pdf as pdf_engine
from core.text import date, locale_for, money
from models import Association
from models.billing import BillingSettings, Invoice
from tests.factories.billing import make_billing, make_invoice, make_payment, make_unit

LANGUAGES = Config.LANGUAGES  # every language Porch ships


def run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    """Run poppler's or zbar's command-line tool; missing tools fail the test, as a missing redis-server does."""
    if shutil.which(command[0]) is None:
        pytest.fail(f"{command[0]} is not installed: run `make test`, which installs poppler-utils and zbar-tools")
    return subprocess.run(command, capture_output=True, **kwargs)


# currency -> the association and the account it is paid into
SETUPS = {
    "EUR": dict(
        association=dict(slug="kase5", name="Korteriühistu Kase 5", locale="en", timezone="Europe/Tallinn"),
        billing=dict(
            payee_name="Korteriühistu Kase 5",
            payee_address="Kase tn 5\n10111 Tallinn",
            iban="EE382200221020145685",
            bic="HABAEE2X",
            reference_standard=BillingSettings.EE,
        ),
        lines=[("Haldustasu", 4500, 0), ("Remondifond", 12000, 0), ("Küte ettemaks", 6550, 0)],
    ),
    "CZK": dict(
        association=dict(slug="vinohrady", name="SVJ Vinohradská 12", locale="cs", timezone="Europe/Prague"),
        billing=dict(
            payee_name="SVJ Vinohradská 12",
            payee_address="Vinohradská 12\n120 00 Praha 2",
            iban="CZ6508000000192000145399",
            bic="GIBACZPX",
            account_number="19-2000145399/0800",
            vat_number="CZ12345678",
            vat_registered=True,
            reference_standard=BillingSettings.CZ_VS,
        ),
        lines=[("Fond oprav", 250000, 0), ("Zálohy na služby", 180000, 0), ("Parkovací stání", 90000, 2100)],
    ),
    "SEK": dict(
        association=dict(slug="eken", name="Brf Eken", locale="sv", timezone="Europe/Stockholm"),
        billing=dict(
            payee_name="Brf Eken",
            payee_address="Ekvägen 3\n123 45 Stockholm",
            iban="",
            bic="",
            bankgiro="5050-1055",
            reference_standard=BillingSettings.SE_OCR,
        ),
        lines=[("Månadsavgift", 416700, 0), ("Parkering", 50000, 2500)],
    ),
}


@pytest.fixture
def billed(app, make_association, make_person):
    """An invoice of an association billing in `currency`, to a recipient reading `language`."""

    def make(currency: str, language: str = "en", **fields) -> Invoice:
        setup = SETUPS[currency]
        association = make_association(currency=currency, **setup["association"])
        settings = make_billing(association, **setup["billing"])
        person = make_person(
            association,
            given_name="Maja",
            surname="Lindqvist",
            street="Ekvägen 3 lgh 1102",
            postcode="123 45",
            city="Stockholm",
            invoice_language=language,
        )
        reference = references.generate(settings.reference_standard, "1001")
        return make_invoice(
            association,
            person,
            unit=make_unit(association, "1102"),
            lines=fields.pop("lines", setup["lines"]),
            reference=reference,
            **fields,
        )

    return make


def render(app, invoice: Invoice, tmp_path: Path) -> Path:
    with app.app_context():
        body = invoice_pdf.render_invoice(Invoice.get_by_id(invoice.id))
    assert body.startswith(b"%PDF-")
    path = tmp_path / f"invoice-{invoice.id}.pdf"
    path.write_bytes(body)
    return path


def text_of(path: Path) -> str:
    out = run("pdftotext", "-layout", str(path), "-", check=True).stdout
    return squeeze(out.decode("utf-8"))


def squeeze(text: str) -> str:
    """One space for any run of spaces: the layout and the locale's no-break spaces vary."""
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


def decoded_qr(path: Path, tmp_path: Path) -> list[str]:
    """The QR codes zbar finds on page 1 rendered at 200 dpi, as the bytes they hold (UTF-8)."""
    prefix = tmp_path / f"{path.stem}-page"
    run("pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(path), str(prefix), check=True)
    (png,) = tmp_path.glob(f"{prefix.name}*.png")
    # -Sbinary: the bytes as they are; zbar would otherwise guess a charset and mangle ü and á.
    result = run("zbarimg", "--raw", "-q", "-Sbinary", str(png))
    if result.returncode == 4:  # no symbol found
        return []
    assert result.returncode == 0, result.stderr
    return [result.stdout.decode("utf-8").rstrip("\n")]


def formatted(app, language: str, invoice: Invoice) -> tuple[str, str]:
    """The amount to pay and the due date as the PDF prints them in `language`."""
    with app.test_request_context(), force_locale(locale_for(language)):
        return squeeze(money(invoice.outstanding, invoice.currency)), squeeze(date(invoice.due_date))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("currency", ["EUR", "CZK"])
def test_qr_invoice_reads_back_in_every_language(app, billed, tmp_path, currency, language):
    invoice = billed(currency, language)
    path = render(app, invoice, tmp_path)
    text = text_of(path)
    amount, due = formatted(app, language, invoice)
    assert amount in text
    assert due in text
    settings = BillingSettings.get(BillingSettings.association == invoice.association)
    assert references.display(settings.reference_standard, invoice.reference) in text
    assert str(invoice.number) in text

    with app.app_context():
        kind, payload = payment_codes.qr_payload(settings, Invoice.get_by_id(invoice.id))
    assert kind == {"EUR": "epc", "CZK": "spd"}[currency]
    assert decoded_qr(path, tmp_path) == [payload]
    if currency == "CZK":  # the message lands on the association's statement: in its language, whoever reads
        assert f"*MSG:Předpis plateb {invoice.number}" in payload


@pytest.mark.parametrize("language", LANGUAGES)
def test_swedish_invoice_prints_the_bankgiro_slip_in_every_language(app, billed, tmp_path, language):
    invoice = billed("SEK", language)
    path = render(app, invoice, tmp_path)
    text = text_of(path)
    amount, due = formatted(app, language, invoice)
    assert amount in text and due in text
    assert invoice.reference in text  # the OCR number, unspaced
    assert "5050-1055" in text  # the bankgiro
    assert "4792,00" in text  # the slip's amount field, kronor,öre: 4 167 + 500 + 125 VAT
    assert "2026-11-30" in text  # the slip's due date field
    assert decoded_qr(path, tmp_path) == []  # Sweden has no national payment QR standard here


def test_fonts_are_embedded(app, billed, tmp_path):
    path = render(app, billed("CZK", "cs"), tmp_path)
    out = run("pdffonts", str(path), check=True, text=True).stdout
    fonts = out.splitlines()[2:]
    assert fonts, out
    assert all(line.split()[-5] == "yes" for line in fonts), out  # the "emb" column
    assert "DejaVu" in out


def test_vat_is_summed_per_rate_when_there_is_vat(app, billed, tmp_path):
    with_vat = text_of(render(app, billed("CZK", "en"), tmp_path))
    assert "VAT by rate" in with_vat and "21%" in with_vat
    assert "Total excluding VAT" in with_vat


def test_without_vat_there_are_no_vat_columns(app, billed, tmp_path):
    """The EUR association is not registered for VAT: no VAT columns, no summary."""
    text = text_of(render(app, billed("EUR", "en"), tmp_path))
    assert "VAT" not in text


def test_a_partly_paid_invoice_asks_for_the_rest(app, billed, tmp_path):
    invoice = billed("EUR", "en")
    make_payment(invoice, 10000)
    invoice = Invoice.get_by_id(invoice.id)
    path = render(app, invoice, tmp_path)
    text = text_of(path)
    assert "Paid so far" in text and "−€100.00" in text
    assert "Amount to pay €130.50" in text
    settings = BillingSettings.get(BillingSettings.association == invoice.association)
    assert decoded_qr(path, tmp_path) == [payment_codes.qr_payload(settings, invoice)[1]]
    assert "EUR130.50" in decoded_qr(path, tmp_path)[0]


def test_a_paid_invoice_and_a_credit_note_carry_no_payment_code(app, billed, tmp_path):
    invoice = billed("EUR", "en")
    make_payment(invoice, invoice.total)
    path = render(app, invoice, tmp_path)
    assert "This invoice is paid" in text_of(path)
    assert decoded_qr(path, tmp_path) == []

    credit = make_invoice(
        invoice.association,
        invoice.recipient,
        kind=Invoice.CREDIT_NOTE,
        credits=invoice,
        lines=[("Haldustasu", -4500, 0)],
    )
    path = render(app, credit, tmp_path)
    text = text_of(path)
    assert "Credit note" in text and f"Credits invoice {invoice.number}" in text
    assert "nothing to pay" in text
    assert decoded_qr(path, tmp_path) == []


def test_the_logo_is_embedded(app, billed, tmp_path):
    import io

    from PIL import Image

    invoice = billed("EUR", "en")
    association = invoice.association
    picture = io.BytesIO()
    Image.new("RGB", (400, 120), (29, 95, 138)).save(picture, "PNG")
    picture.seek(0)
    with app.app_context():
        stored = images.store_image(picture, association, kind="logo", max_size=(400, 120))
    Association.update(logo=stored.name).where(Association.id == association.id).execute()
    path = render(app, Invoice.get_by_id(invoice.id), tmp_path)
    listing = run("pdfimages", "-list", str(path), check=True, text=True).stdout
    assert " 400 " in listing and " 120 " in listing  # the logo, at its own size


def test_many_lines_run_onto_a_second_page_with_page_numbers(app, billed, tmp_path):
    invoice = billed("EUR", "en", lines=[(f"Line {n}", 100, 0) for n in range(60)])
    text = text_of(render(app, invoice, tmp_path))
    numbers = re.findall(rf"Invoice {invoice.number} (\d+) / (\d+)", text)
    pages = int(numbers[0][1])
    assert pages >= 2 and numbers == [(str(n), str(pages)) for n in range(1, pages + 1)]
    assert "Line 59" in text


def test_a_pdf_never_fetches_from_the_network(app):
    with app.test_request_context():
        fetcher = pdf_engine.LocalFetcher()
        for url in ("http://example.com/logo.png", "https://example.com/x.css", "ftp://example.com/x"):
            with pytest.raises(ValueError):
                fetcher.fetch(url)
        with pytest.raises(ValueError):
            fetcher.fetch("file:///etc/passwd")
        inside = (pdf_engine.STATIC_DIR / "css" / "porch.css").as_uri()
        assert fetcher.fetch(inside).read().strip()


def test_the_language_is_the_recipients_then_the_associations(app, billed):
    invoice = billed("CZK", "sv")
    with app.app_context():
        assert invoice_pdf.pdf_language(Invoice.get_by_id(invoice.id)) == "sv"
        invoice.recipient.invoice_language = None
        assert invoice_pdf.pdf_language(invoice) == "cs"
        invoice.recipient.invoice_language = "de"  # not a language Porch ships: the association's
        assert invoice_pdf.pdf_language(invoice) == "cs"


def test_due_dates_follow_the_language(app, billed, tmp_path):
    invoice = billed("EUR", "cs", due_date=dt.date(2026, 12, 24))
    text = text_of(render(app, invoice, tmp_path))
    assert "24. 12. 2026" in text


def test_queue_mail_keeps_the_attachment_until_sent_under_a_name_of_its_own(app, alpha, outbox):
    from email import message_from_bytes, policy

    from core.mail import attachment_file, queue_mail
    from jobs.email import build_message
    from models import OutboundEmail
    from models.db import transaction

    app.config["OUTBOX_DIR"] = Path(app.config["OUTBOX_DIR"])
    with app.test_request_context():
        with transaction():
            row = queue_mail(
                "reset",
                "a@example.com",
                language="en",
                association=alpha,
                link="http://porch.test/reset/x",
                attachment=("../../etc/invoice-7.pdf", b"%PDF-1.7 test"),
            )
            assert row.attachment_name == "invoice-7.pdf"  # the name only: never a path
            stored = attachment_file(row.attachment_path)
            assert stored.parent == Path(app.config["UPLOAD_DIR"]).resolve() / "attachments"
            assert stored.suffix == ".pdf" and "invoice" not in stored.name  # a server-made name
            message = build_message(OutboundEmail.get_by_id(row.id), "porch@example.com")
            (part,) = list(message.iter_attachments())
            assert part.get_content_type() == "application/pdf"
            assert part.get_filename() == "invoice-7.pdf"
            assert message["Content-Language"] == "en"
        # Committed, sent inline to the outbox folder, and the copy is gone.
        assert OutboundEmail.get_by_id(row.id).status == OutboundEmail.SENT
        assert not stored.exists()
    (eml,) = Path(app.config["OUTBOX_DIR"]).glob("*.eml")
    sent = message_from_bytes(eml.read_bytes(), policy=policy.default)
    (part,) = list(sent.iter_attachments())
    assert part.get_content() == b"%PDF-1.7 test"
    with app.app_context(), pytest.raises(ValueError):
        attachment_file("attachments/../../secret.pdf")


# --- the layout with a logo (issue 17, item 2) ------------------------------------------------------

MM = 72 / 25.4  # PDF points per millimetre
WINDOW = (
    20 * MM,
    45 * MM,
    105 * MM,
    90 * MM,
)  # DIN 5008 B / SS 19 window: x0, top, x1, bottom from the page's top left
SENDER_BOTTOM = 43 * MM  # the sender's block ends above the window's return line


def _with_logo(app, association, size: tuple[int, int]) -> None:
    import io as bytes_io

    from PIL import Image

    picture = bytes_io.BytesIO()
    Image.new("RGB", size, (29, 95, 138)).save(picture, "PNG")
    picture.seek(0)
    with app.app_context():
        stored = images.store_image(picture, association, kind="logo", max_size=(400, 160))
    Association.update(logo=stored.name).where(Association.id == association.id).execute()


def _overlaps(a, b) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize(
    "logo", [(213, 160), (100, 400), (800, 100), (300, 300)], ids=["board's", "tall", "wide", "square"]
)
@pytest.mark.parametrize("language", ["en", "sv", "da", "cs", "et"])
def test_the_logo_stays_in_its_box_and_the_address_in_the_window(app, billed, tmp_path, logo, language):
    import pdfplumber

    invoice = billed("CZK", language)
    association = invoice.association
    Association.update(name="Společenství vlastníků jednotek Na Kopci 1201/5").where(
        Association.id == association.id
    ).execute()
    BillingSettingsModel = type(make_billing(association))
    BillingSettingsModel.update(payee_address="Na Kopci 1201/5\n140 00 Praha 4\nCzech Republic").execute()
    _with_logo(app, association, logo)
    path = render(app, Invoice.get_by_id(invoice.id), tmp_path)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
        (image,) = [i for i in page.images if i["top"] < 60 * MM]  # the logo; the QR code is far below
    # The logo keeps its box: at most 14 × 50 mm, above the window.
    assert (
        image["bottom"] <= SENDER_BOTTOM
        and image["x1"] - image["x0"] <= 50 * MM + 1
        and image["bottom"] - image["top"] <= 14 * MM + 1
    )
    head = [w for w in words if w["top"] < 100 * MM]
    for word in head:
        assert not _overlaps(word, image), f"{word['text']!r} under the logo"
    for i, first in enumerate(head):
        for second in head[i + 1 :]:
            assert not _overlaps(first, second), f"{first['text']!r} overprints {second['text']!r}"
    # The recipient's name and address, whole, inside the window.
    recipient = [w for w in words if w["text"] in ("Maja", "Lindqvist", "Ekvägen", "1102", "45", "Stockholm")]
    recipient = [w for w in recipient if w["x0"] < WINDOW[2] and SENDER_BOTTOM - 5 * MM < w["top"] < WINDOW[3]]
    assert {w["text"] for w in recipient} >= {"Maja", "Lindqvist", "Ekvägen", "Stockholm"}
    slack = 0.5 * MM  # the text starts on the window's left edge: allow for rounding
    for word in recipient:
        inside_x = WINDOW[0] - slack <= word["x0"] and word["x1"] <= WINDOW[2]
        assert inside_x and WINDOW[1] <= word["top"] and word["bottom"] <= WINDOW[3], word
