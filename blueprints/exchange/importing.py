"""Importing the register and the books from a spreadsheet (SPEC I1): upload, columns, dry run, apply.

Upload: a CSV (comma, semicolon, tab; UTF-8 with or without a BOM, or Windows-1250 / Latin-1, told apart
by the letters the seeds' languages use) or an XLSX workbook's first sheet, at most MAX_BYTES and MAX_ROWS.
The bytes are kept under a made-up name in UPLOAD_DIR/imports/<association>/ (an ImportRun row holds the
name); every later step reads them again from there, so nothing the browser sends back is trusted.

Columns: which column holds which key of records.py. A first mapping is guessed from the header's words in
English, Swedish, Danish, Czech and Estonian; the board's corrected one is remembered per kind and header
line under the source's name (ImportMapping): the same system's next export goes straight to the check.

Check (the dry run) and apply run as jobs (jobs/imports.py): both pass every row through records.upsert
inside one transaction; the check always rolls it back, apply commits only when no row is INVALID. The
check's row by row outcome is kept beside the file (<token>.json) for the paged list and the error list.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from blueprints.exchange import records
from blueprints.exchange.values import text
from core import clock
from core.audit import audit
from core.csv import sniff_delimiter
from core.tables import TableFileError as ImportFileError
from core.tables import header_and_rows
from core.text import fold
from core.text import lazy_gettext as _l
from core.xlsx import UnreadableSpreadsheetError, read_rows
from models.db import transaction
from models.exchange import ImportMapping, ImportRun
from models.portal import Association, User

MAX_BYTES = 20 * 1024 * 1024  # 60,000 rows of a register's CSV are about 6 MB
MAX_ROWS = 60_000
FOLDER = "imports"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 7 * 24 * 3600  # an upload never applied is removed after a week
PAGE = 50  # rows per page of a dry run's list
ERRORS_PAGE = 200

# What each kind's rows hold (records.py's keys), in the order the columns page lists them; the first group
# of each kind is what a row cannot do without.
_UNIT = ("kind", "rooms", "floor", "area", "share", "equipment", "condition_notes", "accessibility")
_PERSON = ("name", "surname", "given_name", "personal_id", "email", "phone_mobile", "phone_home", "phone_work",
           "street", "postcode", "city", "country", "invoice_by_email", "invoice_by_paper", "invoice_language")  # fmt: skip
KEYS = {
    "units": ("building", "unit", *_UNIT, "building_street", "building_postcode", "building_municipality",
              "building_region"),
    "people": _PERSON,
    "ownership": ("building", "unit", "personal_id", "email", "owner_share", "main", "started_on", "ended_on",
                  *[k for k in _PERSON if k not in ("personal_id", "email")], *_UNIT),
    "residents": ("building", "unit", "personal_id", "email", "name", "surname", "given_name", "role", "start_date",
                  "end_date", "phone_mobile"),
    "contracts": ("number", "building", "unit", "personal_id", "email", "name", "category", "type_label", "status",
                  "start_date", "end_date", "notice_months", "renewal", "renewal_months", "rent", "rent_vat", "note"),
    "charges": ("building", "unit", "contract", "description", "amount", "vat_rate", "valid_from", "valid_to"),
    "invoices": ("number", "building", "unit", "contract", "personal_id", "email", "period", "issue_date",
                 "due_date", "amount", "vat_rate", "description", "reference", "message"),
    "payments": ("invoice", "reference", "amount", "paid_on", "payment_reference", "note"),
}  # fmt: skip
# Keys the columns page insists on (records.py says the rest when a row needs it).
REQUIRED = {
    "units": ("building", "unit"),
    "people": (),
    "ownership": ("building", "unit"),
    "residents": ("building", "unit"),
    "contracts": ("number",),
    "charges": ("description", "amount"),
    "invoices": ("number", "issue_date", "amount"),
    "payments": ("amount", "paid_on"),
}
# Header words for each key (folded: lower case, no accents), English, Swedish, Danish, Czech, Estonian.
HINTS = {
    "building": ("building", "house", "property", "hus", "fastighet", "byggnad", "bygning", "ejendom", "dum",
                 "budova", "objekt", "maja", "hoone"),
    "unit": ("unit", "unit number", "flat", "apartment", "lagenhet", "lagenhetsnummer", "lgh", "lgh nr",
             "lejlighed", "lejemal", "jednotka", "cislo jednotky", "c. jednotky", "byt", "cislo bytu", "korter",
             "korteri nr", "korteri number"),
    "kind": ("kind", "unit type", "typ jednotky", "druh", "druh jednotky", "lagenhetstyp", "liik"),
    "rooms": ("rooms", "rum", "antal rum", "rok", "vaerelser", "pokoje", "pocet pokoju", "dispozice", "toad",
              "tubade arv"),
    "floor": ("floor", "vaning", "etage", "sal", "podlazi", "patro", "korrus"),
    "area": ("area", "m2", "m²", "yta", "boarea", "areal", "plocha", "vymera", "podlahova plocha", "pind",
             "pindala"),
    "share": ("share", "unit share", "andel", "andelstal", "fordelingstal", "podil", "podil na spolecnych castech",
              "spoluvlastnicky podil", "osa", "kaasomandi osa"),
    "equipment": ("equipment", "utrustning", "udstyr", "vybaveni", "sisustus"),
    "condition_notes": ("condition", "skick", "stand", "stav bytu", "seisukord"),
    "accessibility": ("accessibility", "tillganglighet", "tilgaengelighed", "bezbarierovost", "ligipaasetavus"),
    "building_street": ("building address", "building street", "adresa domu", "fastighetsadress"),
    "building_postcode": ("building postcode",),
    "building_municipality": ("municipality", "kommun", "kommune", "obec", "omavalitsus"),
    "building_region": ("region", "lan", "kraj", "maakond"),
    "owner_share": ("owner share", "ownership share", "agarandel", "ejerandel", "podil vlastnika",
                    "velikost podilu", "omandi osa", "omaniku osa"),
    "main": ("main owner", "main", "huvudagare", "hovedejer", "hlavni vlastnik", "pohiomanik"),
    "started_on": ("owner since", "owned from", "tilltradesdag", "agare fran", "overtagelsesdato", "vlastnik od",
                   "nabyti", "datum nabyti", "omanik alates"),
    "ended_on": ("owned until", "agare till", "vlastnik do", "omanik kuni"),
    "personal_id": ("personal id", "personal number", "id number", "personnummer", "personnr", "person nr",
                    "organisationsnummer", "orgnr", "cpr", "cpr nr", "cpr-nummer", "cvr", "rodne cislo", "r.c.",
                    "rc", "ic", "ico", "datum narozeni", "isikukood", "registrikood"),
    "email": ("email", "e-mail", "e mail", "mail", "e-post", "epost", "e-postadress", "e-mailadresse", "emailova adresa",
              "e-posti aadress", "meiliaadress"),
    "name": ("name", "full name", "owner", "namn", "navn", "agare", "ejer", "vlastnik", "jmeno a prijmeni",
             "cele jmeno", "najemnik", "hyresgast", "lejer", "nimi", "omanik", "elanik", "resident"),
    "surname": ("surname", "last name", "family name", "efternamn", "efternavn", "prijmeni", "perekonnanimi"),
    "given_name": ("given name", "first name", "fornamn", "fornavn", "jmeno", "krestni jmeno", "eesnimi"),
    "phone_mobile": ("mobile", "phone", "telephone", "tel", "telefon", "mobil", "mobiltelefon", "mobilni telefon",
                     "mobiil", "telefoninumber"),
    "phone_home": ("home phone", "telefon hem", "hemtelefon", "privattelefon", "telefon domu", "kodutelefon"),
    "phone_work": ("work phone", "arbetstelefon", "arbejdstelefon", "telefon do prace", "tootelefon"),
    "street": ("street", "address", "postal address", "adress", "utdelningsadress", "gatuadress", "adresse",
               "ulice", "adresa", "korespondencni adresa", "aadress", "tanav"),
    "postcode": ("postcode", "post code", "zip", "postnummer", "postnr", "psc", "postiindeks"),
    "city": ("city", "town", "ort", "postort", "by", "mesto", "obec bydliste", "linn"),
    "country": ("country", "land", "stat", "zeme", "riik"),
    "invoice_by_email": ("invoice by e-mail", "e-faktura", "efaktura", "faktura e-post", "faktura pa e-mail",
                         "faktura e-mailem", "arve e-postiga"),
    "invoice_by_paper": ("invoice on paper", "paper invoice", "pappersfaktura", "papirfaktura", "faktura papirove",
                         "arve paberil"),
    "invoice_language": ("invoice language", "language", "sprak", "sprog", "jazyk", "keel", "arve keel"),
    "role": ("role", "roll", "rolle", "vztah", "vztah k jednotce"),
    "start_date": ("start date", "move in", "moved in", "from", "inflyttning", "inflyttningsdatum", "indflytning",
                   "indflytningsdato", "od", "datum od", "alates", "sissekolimine", "start", "fran", "fra"),
    "end_date": ("end date", "move out", "moved out", "until", "to", "utflyttning", "fraflytning", "do", "datum do",
                 "kuni", "valjakolimine", "end", "till", "til"),
    "number": ("number", "no", "nr", "no.", "nr.", "cislo", "c.", "contract number", "kontraktsnummer", "avtalsnummer",
               "kontraktnummer", "lejekontrakt nr", "cislo smlouvy", "lepingu nr", "invoice number", "fakturanummer",
               "fakturanr", "cislo faktury", "cislo dokladu", "arve nr", "arve number"),
    "contract": ("contract", "kontrakt", "avtal", "lejekontrakt", "smlouva", "leping"),
    "category": ("category", "kategori", "kategorie", "kategooria"),
    "type_label": ("type", "typ", "tyyp", "avtalstyp", "typ smlouvy"),
    "status": ("status", "stav", "staatus", "tilstand"),
    "notice_months": ("notice", "notice months", "uppsagningstid", "opsigelse", "opsigelsesvarsel",
                      "vypovedni lhuta", "etteteatamine"),
    "renewal": ("renewal", "forlangning", "fornyelse", "prodlouzeni", "pikendamine"),
    "renewal_months": ("renews by", "forlangs med", "prodlouzeni o", "pikeneb"),
    "rent": ("rent", "monthly rent", "hyra", "manadshyra", "arsavgift", "avgift", "husleje", "najem", "najemne",
             "mesicni predpis", "predpis", "uur", "kuutasu"),
    "rent_vat": ("rent vat", "vat on rent", "moms pa hyra", "dph z najmu"),
    "note": ("note", "notes", "notering", "anteckning", "bemaerkning", "note til", "poznamka", "markus", "markused"),
    "description": ("description", "text", "item", "beskrivning", "benamning", "tekst", "beskrivelse", "popis",
                    "polozka", "nazev", "kirjeldus", "selgitus"),
    "amount": ("amount", "total", "sum", "belopp", "summa", "belob", "castka", "celkem", "k uhrade", "summa kokku",
               "kokku", "amount due"),
    "vat_rate": ("vat", "vat %", "vat rate", "moms", "momssats", "dph", "sazba dph", "km", "kaibemaks"),
    "valid_from": ("valid from", "from", "fran", "fra", "gaelder fra", "od", "platnost od", "alates", "kehtib alates"),
    "valid_to": ("valid to", "valid until", "to", "till", "til", "gaelder til", "do", "platnost do", "kuni",
                 "kehtib kuni"),
    "period": ("period", "periode", "obdobi", "periood", "month", "manad", "maned", "mesic", "kuu"),
    "issue_date": ("issue date", "invoice date", "date", "fakturadatum", "fakturadato", "datum vystaveni",
                   "datum", "vystaveno", "arve kuupaev", "kuupaev"),
    "due_date": ("due date", "due", "forfallodatum", "forfallodag", "forfaldsdato", "splatnost", "datum splatnosti",
                 "maksetahtaeg", "tahtaeg"),
    "reference": ("reference", "ocr", "ocr-nummer", "referens", "kid", "betalings-id", "variabilni symbol", "vs",
                  "var. symbol", "viitenumber", "viitenr"),
    "message": ("message", "meddelande", "besked", "meddelelse", "zprava", "sdeleni", "teade"),
    "invoice": ("invoice", "invoice number", "faktura", "fakturanummer", "fakturanr", "cislo faktury", "arve",
                "arve nr", "arve number"),
    "paid_on": ("paid on", "payment date", "date paid", "betalningsdatum", "betald", "betalingsdato", "betalt",
                "datum platby", "datum uhrady", "zaplaceno", "makse kuupaev", "makstud", "date", "datum",
                "kuupaev"),
    "payment_reference": ("payment reference", "bank reference", "betalningsreferens", "referenz platby",
                          "makse viide"),
}  # fmt: skip
LABELS = {
    "building": _l("Building (its name)"), "unit": _l("Unit number"), "kind": _l("Kind of unit"),
    "rooms": _l("Rooms"), "floor": _l("Floor"), "area": _l("Area (m²)"),
    "share": _l("Unit's share of the common property"), "equipment": _l("Equipment"),
    "condition_notes": _l("Condition"), "accessibility": _l("Accessibility"),
    "building_street": _l("Building's street address"), "building_postcode": _l("Building's postcode"),
    "building_municipality": _l("Municipality"), "building_region": _l("Region"),
    "owner_share": _l("Owner's share of the unit"), "main": _l("Main owner (yes/no)"),
    "started_on": _l("Owner since"), "ended_on": _l("Owner until (the day it passed on)"),
    "personal_id": _l("Personal or company id"), "email": _l("E-mail address"),
    "name": _l("Name (given name and surname)"), "surname": _l("Surname or company name"),
    "given_name": _l("Given name"), "phone_mobile": _l("Phone (mobile)"), "phone_home": _l("Phone (home)"),
    "phone_work": _l("Phone (work)"), "street": _l("Street address"), "postcode": _l("Postcode"),
    "city": _l("City"), "country": _l("Country"), "invoice_by_email": _l("Invoices by e-mail (yes/no)"),
    "invoice_by_paper": _l("Invoices on paper (yes/no)"), "invoice_language": _l("Invoice language"),
    "role": _l("Role (tenant, household member, owner living here)"), "start_date": _l("First day"),
    "end_date": _l("Last day"), "number": _l("Number"), "contract": _l("Contract number"),
    "category": _l("Category"), "type_label": _l("Type"), "status": _l("Status"),
    "notice_months": _l("Notice period (months)"), "renewal": _l("Renewal"),
    "renewal_months": _l("Renews by (months)"), "rent": _l("Monthly rent or fee"),
    "rent_vat": _l("VAT on the rent (%)"), "note": _l("Note"), "description": _l("Description"),
    "amount": _l("Amount"), "vat_rate": _l("VAT (%)"), "valid_from": _l("From"), "valid_to": _l("Until (last day)"),
    "period": _l("Period (month)"), "issue_date": _l("Issue date"), "due_date": _l("Due date"),
    "reference": _l("Payment reference of the invoice"), "message": _l("Message on the invoice"),
    "invoice": _l("Invoice number"), "paid_on": _l("Paid on"), "payment_reference": _l("Payment's own reference"),
}  # fmt: skip
KIND_LABELS = {
    "ownership": _l("Units with their owners (one row per owner)"),
    "units": _l("Units"),
    "people": _l("People"),
    "residents": _l("Residents"),
    "contracts": _l("Contracts"),
    "charges": _l("Charges (monthly fees)"),
    "invoices": _l("Invoices"),
    "payments": _l("Payments"),
}
BILLING_KINDS = ("contracts", "charges", "invoices", "payments")
# Letters that tell Windows-1250 (Czech) text from Latin-1 (Swedish, Danish, Estonian) when a file is not UTF-8.
_CENTRAL = set("ěščřžýůťďňĚŠČŘŽÝŮŤĎŇ")
_WESTERN = set("åäöæøõüÅÄÖÆØÕÜ")


# --- the kept bytes ---------------------------------------------------------------------------------------


def _directory(association_id: int) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / FOLDER / str(int(association_id))


def _path(association_id: int, token: str, suffix: str = ".dat") -> Path:
    if not TOKEN.match(token or ""):
        raise ValueError("not a token we made")
    return _directory(association_id) / f"{token}{suffix}"


def keep(association_id: int, data: bytes) -> str:
    """Keep an upload's bytes under a made-up name; uploads older than KEEP_SECONDS go on the way."""
    directory = _directory(association_id)
    directory.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in directory.glob("*.*"):
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    _write(_path(association_id, token), data)
    return token


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


def kept(run: ImportRun) -> bytes | None:
    path = _path(run.association_id, run.token)
    return path.read_bytes() if path.is_file() else None


# --- reading the table ----------------------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list]]  # (line in the file, cells)
    kind: str  # csv or xlsx
    encoding: str = ""

    @property
    def key(self) -> str:
        return header_key(self.header)


def header_key(header: list[str]) -> str:
    """The header's fingerprint: the same system's next export has the same one."""
    return hashlib.sha256("\x1f".join(fold(name).strip() for name in header).encode()).hexdigest()


def read_table(data: bytes) -> Table:
    """The file as a header line and rows: an XLSX workbook's first sheet, else CSV text."""
    if data[:4] == b"PK\x03\x04":
        try:
            rows = read_rows(data, max_rows=MAX_ROWS + 1)
        except UnreadableSpreadsheetError:
            raise ImportFileError(_l("The spreadsheet cannot be read; save it again as XLSX or CSV."), "1") from None
        return _table(list(enumerate(rows, start=1)), "xlsx", "")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(_l("This is an old Excel file (XLS): save it as XLSX or CSV and upload that."), "1")
    if b"\x00" in data[:4096]:
        raise ImportFileError(_l("This is neither a CSV nor an XLSX file."), "1")
    decoded, encoding = decode(data)
    delimiter = sniff_delimiter(decoded)
    reader = csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            rows.append((reader.line_num, cells))
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise ImportFileError(
            _l("The CSV cannot be read (%(reason)s).", reason=str(error)), str(reader.line_num)
        ) from None
    return _table(rows, "csv", encoding)


def decode(data: bytes) -> tuple[str, str]:
    """CSV bytes as text: UTF-8 (a BOM or none), else Windows-1250 or Latin-1, whichever reads more of the
    seeds' letters; text that reads as neither is refused rather than imported garbled."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    scores = []
    for encoding, letters in (("cp1250", _CENTRAL), ("cp1252", _WESTERN)):
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scores.append((sum(ch in letters for ch in decoded), encoding, decoded))
    if not scores or max(scores)[0] == 0:
        raise ImportFileError(
            _l("The file's text is in an unknown encoding. Save it as CSV UTF-8 (in Excel: “CSV UTF-8”) and "
               "upload that."), "1",
        )  # fmt: skip
    _score, encoding, decoded = max(scores)
    return decoded, encoding


def _table(rows: list[tuple[int, list]], kind: str, encoding: str) -> Table:
    header, body = header_and_rows(rows, MAX_ROWS, text)
    return Table(header=header, rows=body, kind=kind, encoding=encoding)


# --- the mapping -------------------------------------------------------------------------------------------


def guess(header: list[str], kind: str) -> dict[str, str]:
    """A first mapping from the header's words: a header that is one of a key's words first, then one that
    holds one; each column used once."""
    mapping: dict[str, str] = {}
    folded = {name: fold(name).strip().rstrip(":").strip() for name in header}
    taken: set[str] = set()
    for exact in (True, False):
        for key in KEYS[kind]:
            if key in mapping:
                continue
            for name, words in folded.items():
                if name in taken:
                    continue
                hints = HINTS.get(key, ())
                if (words in hints) if exact else any(len(h) > 3 and h in words for h in hints):
                    mapping[key] = name
                    taken.add(name)
                    break
    if "given_name" in mapping and "surname" not in mapping and "name" not in mapping and "name" in KEYS[kind]:
        mapping["name"] = mapping.pop("given_name")  # "Jméno" alone is the whole name, not the given one
    return {key: mapping[key] for key in KEYS[kind] if key in mapping}


def problems(mapping: dict[str, str], header: list[str], kind: str) -> dict[str, str]:
    """What is wrong with a mapping, by key: needed keys missing, columns not in the file or used twice."""
    found = {}
    for key, column in mapping.items():
        if column and column not in header:
            found[key] = str(_l("The file has no column “%(name)s”.", name=column))
    for key in REQUIRED[kind]:
        if not mapping.get(key):
            found[key] = str(_l("Choose the column that holds this."))
    if kind == "people" and not (mapping.get("personal_id") or mapping.get("email")):
        found["personal_id"] = str(_l("Choose the column with the personal ids or the one with the e-mail addresses."))
    if kind == "payments" and not (mapping.get("invoice") or mapping.get("reference")):
        found["invoice"] = str(_l("Choose the column with the invoice numbers or the one with the references."))
    chosen = [column for column in mapping.values() if column]
    for key, column in mapping.items():
        if column and chosen.count(column) > 1 and key not in found:
            found[key] = str(_l("Each column can hold one thing only."))
    return found


def saved_mapping(association: Association, kind: str, key: str) -> ImportMapping | None:
    return ImportMapping.get_or_none(
        (ImportMapping.association == association) & (ImportMapping.kind == kind) & (ImportMapping.header_key == key)
    )


def save_mapping(association: Association, kind: str, key: str, mapping: dict[str, str], source: str) -> None:
    """Remember the mapping for this kind of file with this header, under the source's name."""
    body = json.dumps(mapping, ensure_ascii=False, sort_keys=True)
    updated = (
        ImportMapping.update(mapping=body, source=source[:120], updated_at=clock.utcnow_naive())
        .where((ImportMapping.association == association) & (ImportMapping.kind == kind)
               & (ImportMapping.header_key == key))
        .execute()
    )  # fmt: skip
    if not updated:
        ImportMapping.create(association=association, kind=kind, header_key=key, source=source[:120], mapping=body)


def mapped_rows(table: Table, mapping: dict[str, str]) -> list[dict]:
    """Each row as records.py takes it: key -> the cell of its column."""
    positions = {key: table.header.index(column) for key, column in mapping.items() if column in table.header}
    return [
        {key: cells[position] for key, position in positions.items() if position < len(cells)}
        for _line, cells in table.rows
    ]


# --- check and apply (the jobs' work) --------------------------------------------------------------------


class _RollbackError(Exception):
    pass


def run_rows(run: ImportRun, *, apply: bool) -> tuple[list[records.Outcome], Table, dict]:
    """The run's kept file through import_rows with the mapping it was checked with."""
    data = kept(run)
    if data is None:
        raise ImportFileError(_l("The uploaded file is no longer kept; upload it again."))
    table = read_table(data)
    mapping = json.loads(run.mapping)
    association = Association.get_by_id(run.association_id)
    user = User.get_or_none(User.id == run.created_by_id) if run.created_by_id else None
    outcomes = import_rows(association, run.kind, table, mapping, apply=apply, user=user, name=run.original_name)
    return outcomes, table, mapping


def import_rows(
    association: Association, kind: str, table: Table, mapping: dict, *, apply: bool, user: User | None, name: str
) -> list[records.Outcome]:
    """Every row through records.upsert in one transaction, kept only when `apply` and no row is INVALID
    (then audit-logged); the dry run's transaction is always rolled back."""
    rows = mapped_rows(table, mapping)
    outcomes: list[records.Outcome] = []
    try:
        with transaction():
            outcomes = records.upsert(association, kind, rows, user=user)
            counts = counts_of(outcomes)
            if not apply or counts[records.INVALID]:
                raise _RollbackError
            audit("exchange.import_applied", actor=user, association=association, target=name[:200], kind=kind,
                  rows=len(rows), **{k: v for k, v in counts.items() if k != records.INVALID})  # fmt: skip
    except _RollbackError:
        pass
    return outcomes


def counts_of(outcomes: list[records.Outcome]) -> dict[str, int]:
    counts = dict.fromkeys(records.ACTIONS, 0)
    for outcome in outcomes:
        counts[outcome.action] += 1
    return counts


def record_outcomes(run: ImportRun, outcomes: list[records.Outcome], table: Table, mapping: dict) -> dict[str, int]:
    """Keep the row by row outcome beside the file (errors named by the file's own column), and the counts."""
    column_of = {key: column for key, column in mapping.items()}
    listed = [
        [line, outcome.action, outcome.key[:120],
         {column_of.get(k, k): [old[:80], new[:80]] for k, (old, new) in outcome.changes.items()},
         [[column_of.get(error.field, error.field), error.message] for error in outcome.errors]]
        for (line, _cells), outcome in zip(table.rows, outcomes, strict=True)
    ]  # fmt: skip
    _write(_path(run.association_id, run.token, ".json"), json.dumps(listed, ensure_ascii=False).encode())
    counts = counts_of(outcomes)
    counts["error_count"] = sum(len(outcome.errors) for outcome in outcomes)
    return counts


def listed_rows(run: ImportRun) -> list[list]:
    """The last check's or apply's row by row outcome: [line, action, key, changes, errors]."""
    path = _path(run.association_id, run.token, ".json")
    return json.loads(path.read_bytes()) if path.is_file() else []


def forget(run: ImportRun) -> None:
    for suffix in (".dat", ".json"):
        _path(run.association_id, run.token, suffix).unlink(missing_ok=True)
