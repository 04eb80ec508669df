"""Search without accents and names in each language's order (issue 17, SPEC X5): every person's folded
name for search and ICU collation key for sorting, and every fault report's folded title, filled in for
the rows already there."""
import unicodedata

import icu
from peewee import *


def fold(text):
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}))


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('person', 'search_name', CharField(max_length=250, default='')),
        migrator.add_column('person', 'sort_key', BlobField(null=True)),
        migrator.add_index('person', ('association_id', 'sort_key'), False),
        migrator.add_column('fault_report', 'search_title', CharField(max_length=200, default='')),
    )
    p = db.param
    rows = db.execute_sql(
        "SELECT person.id, person.given_name, person.surname, association.locale"
        " FROM person JOIN association ON association.id = person.association_id"
    ).fetchall()
    collators = {}
    for person_id, given, surname, locale in rows:
        name = f"{given} {surname}".strip()
        collator = collators.setdefault(locale, icu.Collator.createInstance(icu.Locale(locale or "en")))
        key = bytes(collator.getSortKey(f"{surname} {given}".strip()))
        db.execute_sql(f"UPDATE person SET search_name = {p}, sort_key = {p} WHERE id = {p}", (fold(name)[:250], key, person_id))
    for report_id, title in db.execute_sql("SELECT id, title FROM fault_report").fetchall():
        db.execute_sql(f"UPDATE fault_report SET search_title = {p} WHERE id = {p}", (fold(title)[:200], report_id))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('fault_report', 'search_title'),
        migrator.drop_index('person', 'person_association_id_sort_key'),
        migrator.drop_column('person', 'sort_key'),
        migrator.drop_column('person', 'search_name'),
    )
