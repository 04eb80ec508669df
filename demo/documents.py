"""Demo documents (D1, D2, D5): a dozen per association in its language, in the built-in folders.

Minutes with PDF attachments whose text the search finds, notices, house rules, a board-only
document, the Sidebar's waste collection days, a draft of the board's, and two recurring events: the
yearly general meeting and a monthly cleaning day. Written through the library as the
board would, with the clock set back to each document's day; nobody is notified (they are
history, not news). Run after load_associations(); an association that has documents is left alone.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

from weasyprint import HTML
from werkzeug.datastructures import FileStorage

from blueprints.documents import events, library
from core import clock
from models import Association, User
from models.db import transaction
from models.documents import Document, Folder

D = dt.timedelta(days=1)

# (folder key, title, Markdown body, days ago, PDF (file name, text) or None, published)
PLANS = {
    "solrosen": dict(
        board="board@solrosen.example",
        events=[
            ("information", "Föreningsstämma", "Ordinarie föreningsstämma i gemensamhetslokalen. Kallelse kommer i brevlådan.", (5, 12, 18), events.YEARLY),
            ("notice_board", "Städdag i gården", "Vi städar gården tillsammans. Kaffe och bullar efteråt.", (None, 1, None), events.MONTHLY),
        ],
        documents=[
            ("sidebar", "Sophämtning", "Hushållssopor hämtas tisdag och fredag.  \nGrovsopor: första lördagen i månaden.", 400, None, True),
            ("information", "Trivselregler", "Visa hänsyn mot grannarna.\n\n- Tyst efter kl. 22\n- Cyklar i cykelrummet\n- Sopor sorteras i miljöhuset", 380, None, True),
            ("information", "Tvättstugan", "Boka på tavlan i entrén. Max två pass i veckan. Rensa luddfiltret efter dig.", 300, None, True),
            ("minutes", "Protokoll från föreningsstämman 2026", "Protokollet finns som PDF.", 190,
             ("protokoll-stamma-2026.pdf", "Protokoll fört vid ordinarie föreningsstämma i Brf Solrosen. Stämman beslutade att bevilja styrelsen ansvarsfrihet och att renovera tvättstugan under hösten. Årsavgiften höjs med tre procent."), True),
            ("minutes", "Protokoll styrelsemöte september", "", 80,
             ("styrelsemote-september.pdf", "Styrelsen beslutade att anlita Östra Rörservice för stambytet i hus B. Offerten godkändes."), True),
            ("notice_board", "Städdag lördag 10.00", "Välkommen på städdag! Vi krattar löv och byter sand i sandlådan. Fika i gården efteråt.", 20, None, True),
            ("notice_board", "Vattnet stängs av tisdag", "Tisdag kl. 9–12 stängs vattnet i hus A för byte av ventiler.", 6, None, True),
            ("notice_board", "Ny portkod från 1 januari", "Den nya koden delas ut i brevlådan.", 3, None, True),
            ("information", "Årsredovisning 2025", "", 150, ("arsredovisning-2025.pdf", "Årsredovisning för Brf Solrosen räkenskapsåret 2025. Föreningens resultat och balansräkning."), True),
            ("board", "Offert takrenovering", "Tre offerter har kommit in. Diskuteras på nästa möte.", 12, None, True),
            ("board", "Budget 2027 (utkast)", "Förslag till budget för 2027.", 2, None, False),
            ("information", "Parkering och laddplatser", "Laddplatserna hyrs via styrelsen. Kö finns.", 200, None, True),
        ],
    ),
    "nakopci": dict(
        board="board@nakopci.example",
        events=[
            ("information", "Shromáždění vlastníků", "Řádné shromáždění vlastníků jednotek ve společenské místnosti.", (5, 20, 18), events.YEARLY),
            ("notice_board", "Úklid dvora", "Společně uklidíme dvůr a okolí domu.", (None, 1, None), events.MONTHLY),
        ],
        documents=[
            ("sidebar", "Svoz odpadu", "Komunální odpad se vyváží v úterý a v pátek.  \nVelkoobjemový odpad: první sobota v měsíci.", 400, None, True),
            ("information", "Domovní řád", "Dodržujte noční klid od 22 do 6 hodin.\n\n- Kola patří do kolárny\n- Odpad třiďte do kontejnerů", 380, None, True),
            ("information", "Úklid společných prostor", "Úklid zajišťuje firma Čistý dům každé pondělí a čtvrtek.", 300, None, True),
            ("minutes", "Zápis ze shromáždění vlastníků 2026", "Zápis je v příloze.", 190,
             ("zapis-shromazdeni-2026.pdf", "Zápis ze shromáždění vlastníků jednotek. Shromáždění schválilo účetní závěrku a výměnu stoupaček v domě. Příspěvek do fondu oprav se zvyšuje."), True),
            ("minutes", "Zápis z jednání výboru – září", "", 80,
             ("zapis-vybor-zari.pdf", "Výbor rozhodl objednat revizi výtahu a opravu střechy u firmy Střechy Dvořák."), True),
            ("notice_board", "Odečty vodoměrů", "Odečty vodoměrů proběhnou v sobotu od 9 hodin. Prosíme o zpřístupnění bytů.", 20, None, True),
            ("notice_board", "Odstávka teplé vody", "Ve středu od 8 do 14 hodin nepoteče teplá voda.", 6, None, True),
            ("notice_board", "Vánoční úklid sklepů", "Nepotřebné věci ze sklepů odvezeme 20. prosince.", 3, None, True),
            ("information", "Vyúčtování služeb 2025", "", 150, ("vyuctovani-sluzeb-2025.pdf", "Vyúčtování služeb spojených s užíváním jednotek za rok 2025: teplo, teplá voda, studená voda, výtah."), True),
            ("board", "Nabídky na opravu střechy", "Došly tři nabídky, projednáme na příští schůzi.", 12, None, True),
            ("board", "Rozpočet 2027 (návrh)", "Návrh rozpočtu na rok 2027.", 2, None, False),
            ("information", "Parkování ve dvoře", "Parkovací místa ve dvoře jsou pronajímána. Pořadník vede výbor.", 200, None, True),
        ],
    ),
    "kase5": dict(
        board="board@kase5.example",
        events=[
            ("information", "Üldkoosolek", "Korteriühistu korraline üldkoosolek trepikoja saalis.", (4, 28, 18), events.YEARLY),
            ("notice_board", "Hoovi talgud", "Koristame koos hoovi. Pärast on kohv ja saiad.", (None, 1, None), events.MONTHLY),
        ],
        documents=[
            ("sidebar", "Prügivedu", "Olmejäätmed viiakse ära teisipäeval ja reedel.  \nSuuremõõtmelised jäätmed: kuu esimene laupäev.", 400, None, True),
            ("information", "Kodukord", "Öörahu kell 23–7.\n\n- Jalgrattad rattaruumi\n- Prügi sorteeritakse", 380, None, True),
            ("information", "Trepikodade koristus", "Koristus toimub igal esmaspäeval ja neljapäeval.", 300, None, True),
            ("minutes", "Üldkoosoleku protokoll 2026", "Protokoll on lisas.", 190,
             ("uldkoosoleku-protokoll-2026.pdf", "Korteriühistu üldkoosolek kinnitas majandusaasta aruande ja otsustas vahetada küttesüsteemi. Remondifondi makse tõuseb."), True),
            ("minutes", "Juhatuse koosolek september", "", 80,
             ("juhatus-september.pdf", "Juhatus otsustas tellida katuse remondi firmalt Katusemeister. Pakkumine kinnitati."), True),
            ("notice_board", "Veenäitude teatamine", "Palume veenäidud sisestada kuu viimaseks päevaks.", 20, None, True),
            ("notice_board", "Sooja vee katkestus", "Kolmapäeval kell 9–13 sooja vett ei ole.", 6, None, True),
            ("notice_board", "Keldrite koristus", "Mittevajalikud asjad viiakse ära 20. detsembril.", 3, None, True),
            ("information", "Majandusaasta aruanne 2025", "", 150, ("majandusaasta-aruanne-2025.pdf", "Korteriühistu majandusaasta aruanne 2025. Tulud, kulud ja remondifond."), True),
            ("board", "Katuse pakkumised", "Saabus kolm pakkumist, arutame järgmisel koosolekul.", 12, None, True),
            ("board", "Eelarve 2027 (mustand)", "Eelarve projekt aastaks 2027.", 2, None, False),
            ("information", "Parkimine hoovis", "Parkimiskohad hoovis on renditavad. Järjekorda peab juhatus.", 200, None, True),
        ],
    ),
}  # fmt: skip


def load_documents() -> Iterator[str]:
    """Fill each demo association's folders once."""
    for slug, plan in PLANS.items():
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            continue
        if Document.of(association).exists():
            yield f"{association.name}: documents exist; left as they are."
            continue
        board = User.get_or_none(User.email == plan["board"])
        folders = {f.key: f for f in Folder.of(association).where(Folder.key.is_null(False))}
        if board is None or not folders:
            yield f"{association.name}: no board account or folders; no documents."
            continue
        now = clock.now()
        for entry in plan["documents"]:
            _write(association, folders, board, entry, now)
        for entry in plan["events"]:
            _event(association, folders, board, entry)
        made = len(plan["documents"]) + len(plan["events"])
        yield f"{association.name}: {made} documents in {len(folders)} folders, {len(plan['events'])} of them events."


def _write(association: Association, folders: dict, board: User, entry: tuple, now: dt.datetime) -> None:
    key, title, body, days_ago, pdf, published = entry
    folder = folders[key]
    folder.association = association
    files = []
    if pdf is not None:
        name, text = pdf
        files.append(FileStorage(stream=io.BytesIO(_pdf(title, text)), filename=name))
    draft = library.Draft(title=title, body=body, folder=folder, quiet=True)
    with clock.frozen(now - days_ago * D), transaction():
        library.write(draft, files, board, publish=published)


def _event(association: Association, folders: dict, board: User, entry: tuple) -> None:
    """A recurring event: the yearly general meeting at 18:00 (next year's), or a whole day on the
    first of every month from next month on."""
    key, title, body, (month, day, hour), repeat = entry
    folder = folders[key]
    folder.association = association
    today = association.today()
    if month is None:  # monthly, a whole day
        first = (today.replace(day=1) + 32 * D).replace(day=day)
        times = events.EventTimes(start=dt.datetime.combine(first, dt.time()), all_day=True, repeat=repeat)
    else:
        times = events.EventTimes(start=dt.datetime(today.year + 1, month, day, hour), repeat=repeat)
    draft = library.Draft(title=title, body=body, folder=folder, quiet=True, event=times)
    with clock.frozen(clock.now() - 30 * D), transaction():
        library.write(draft, [], board, publish=True)


def _pdf(title: str, text: str) -> bytes:
    """A one-page PDF such as a board scans or exports, with real text for the search to read."""
    html = f"<h1 style='font-size:16pt'>{_escape(title)}</h1><p style='font-size:11pt'>{_escape(text)}</p>"
    return HTML(string=html).write_pdf()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
