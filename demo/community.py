"""Demo discussions and a mass mail (C1, C3, C4), in each association's language.

Each association gets a discussion below one of its notices, three topics (one hidden post in a quarrel
about bicycles, an owners-only topic, a locked sale that is over) and a mailing about the pipe works
with one recipient's mail failed and one bounced, so every state shows. Written through the posting,
moderation and mailing services as residents and the board would, with the clock set back to each
post's time; the posts' mail is marked sent (they are history, not news). Run after load_documents();
an association that has discussions is left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from blueprints.community import mailing as mass_mail
from blueprints.community import moderation, threads
from core import clock
from models import Association, Membership, OutboundEmail, Person, User
from models.community import Category, CommunitySettings, Mailing, MailingRecipient, Post, PostDigest, Thread
from models.db import transaction
from models.documents import Document

M = dt.timedelta(minutes=1)

PLANS = {
    "solrosen": dict(
        board="board@solrosen.example",
        document_threads=[
            (
                "Vattnet stängs av tisdag",
                [
                    ("owner@solrosen.example", "Gäller det även hus B? Vi har tvättid på tisdag förmiddag.", 60 * 30),
                    (
                        "board@solrosen.example",
                        "Nej, bara hus A den här gången. Hus B får ett eget datum i januari.",
                        60 * 28,
                    ),
                    ("tenant@solrosen.example", "Tack för infon! Jag fyller en hink i förväg.", 60 * 20),
                ],
            ),
        ],
        topics=[
            (
                "everyone",
                "Cykelrummet är fullt",
                [
                    (
                        "tenant@solrosen.example",
                        "Det står många cyklar som ingen verkar använda. Kan vi märka upp dem?",
                        60 * 24 * 3,
                    ),
                    (
                        "owner@solrosen.example",
                        "Bra idé! Förra året satte styrelsen lappar på dem och efter en månad flyttades de som ingen hämtat.",
                        60 * 24 * 2,
                    ),
                    (
                        "tenant@solrosen.example",
                        "Skräpcyklar överallt, typiskt för vissa grannar på tredje våningen!!",
                        60 * 24 * 2 - 30,
                    ),
                    (
                        "board@solrosen.example",
                        "Vi märker upp cyklarna på städdagen. Omärkta cyklar flyttas efter fyra veckor.",
                        60 * 24,
                    ),
                ],
                (2, "Personangrepp på grannar hör inte hemma här."),
                False,
            ),
            (
                "owners",
                "Laddbox i garaget?",
                [
                    (
                        "owner@solrosen.example",
                        "Finns det intresse för laddboxar i garaget? Jag kan ta fram en offert.",
                        60 * 24 * 10,
                    ),
                    ("board@solrosen.example", "Gärna! Vi tar upp det på nästa styrelsemöte.", 60 * 24 * 9),
                ],
                None,
                False,
            ),
            (
                "everyone",
                "Köpes: barnvagn",
                [
                    ("tenant@solrosen.example", "Någon som har en barnvagn att sälja?", 60 * 24 * 40),
                    ("owner@solrosen.example", "Vi har en, skickar ett meddelande.", 60 * 24 * 39),
                ],
                None,
                True,
            ),
        ],
        mailing=(
            "Stambyte i hus B – information",
            "Hej!\n\nStambytet i **hus B** börjar den 12 januari. Läs informationen i bilagan.\n\nHälsningar,  \nStyrelsen",
        ),
    ),
    "nakopci": dict(
        board="board@nakopci.example",
        document_threads=[
            (
                "Odstávka teplé vody",
                [
                    ("owner@nakopci.example", "Týká se to i druhého vchodu?", 60 * 30),
                    ("board@nakopci.example", "Ano, celého domu. Omlouváme se za komplikace.", 60 * 26),
                ],
            ),
        ],
        topics=[
            (
                "everyone",
                "Kola v kolárně",
                [
                    ("owner@nakopci.example", "V kolárně je spousta starých kol. Můžeme je označit?", 60 * 24 * 3),
                    (
                        "board@nakopci.example",
                        "Ano, označíme je při úklidu dvora. Neoznačená kola po měsíci odvezeme.",
                        60 * 24 * 2,
                    ),
                    ("owner@nakopci.example", "Ať si soused z prvního patra uklidí ten svůj šrot!!", 60 * 24 * 2 - 40),
                ],
                (2, "Osobní útoky na sousedy sem nepatří."),
                False,
            ),
            (
                "owners",
                "Fotovoltaika na střeše",
                [
                    (
                        "owner@nakopci.example",
                        "Uvažoval výbor o fotovoltaice? Na střechu by se vešlo 20 panelů.",
                        60 * 24 * 12,
                    ),
                    (
                        "board@nakopci.example",
                        "Nechali jsme si zpracovat nabídku, probereme ji na shromáždění.",
                        60 * 24 * 11,
                    ),
                ],
                None,
                False,
            ),
            (
                "everyone",
                "Prodám dětský kočárek",
                [
                    ("owner@nakopci.example", "Prodám zachovalý kočárek, zájemci pište.", 60 * 24 * 40),
                ],
                None,
                True,
            ),
        ],
        mailing=(
            "Výměna stoupaček – informace",
            "Dobrý den,\n\nvýměna stoupaček začne **12. ledna**. Podrobnosti najdete v příloze.\n\nS pozdravem  \nvýbor SVJ",
        ),
    ),
    "kase5": dict(
        board="board@kase5.example",
        document_threads=[
            (
                "Sooja vee katkestus",
                [
                    ("owner@kase5.example", "Kas see puudutab ka teist trepikoda?", 60 * 30),
                    ("board@kase5.example", "Jah, kogu maja. Vabandame ebamugavuste pärast.", 60 * 26),
                ],
            ),
        ],
        topics=[
            (
                "everyone",
                "Jalgrattad rattaruumis",
                [
                    (
                        "owner@kase5.example",
                        "Rattaruumis on palju vanu rattaid. Kas võiks need märgistada?",
                        60 * 24 * 3,
                    ),
                    (
                        "board@kase5.example",
                        "Jah, märgistame talgute ajal. Märgistamata rattad viiakse kuu aja pärast ära.",
                        60 * 24 * 2,
                    ),
                    (
                        "owner@kase5.example",
                        "Esimese korruse naaber võiks oma romu ise ära koristada!!",
                        60 * 24 * 2 - 40,
                    ),
                ],
                (2, "Naabrite isiklik ründamine ei sobi siia."),
                False,
            ),
            (
                "owners",
                "Päikesepaneelid katusele",
                [
                    ("owner@kase5.example", "Kas juhatus on mõelnud päikesepaneelidele?", 60 * 24 * 12),
                    ("board@kase5.example", "Küsisime pakkumise, arutame üldkoosolekul.", 60 * 24 * 11),
                ],
                None,
                False,
            ),
            (
                "everyone",
                "Müüa lapsevanker",
                [
                    ("owner@kase5.example", "Müüa korralik lapsevanker, huvilised kirjutage.", 60 * 24 * 40),
                ],
                None,
                True,
            ),
        ],
        mailing=(
            "Püstikute vahetus – info",
            "Tere!\n\nPüstikute vahetus algab **12. jaanuaril**. Täpsem info on lisas.\n\nLugupidamisega  \njuhatus",
        ),
    ),
}


def load_community() -> Iterator[str]:
    """Discussions, moderation and a mailing for each demo association, once."""
    for slug, plan in PLANS.items():
        association = Association.get_or_none(Association.slug == slug)
        if association is None:
            continue
        if Thread.of(association).exists():
            yield f"{association.name}: discussions exist; left as they are."
            continue
        members = _members(association)
        board = members.get(plan["board"])
        if board is None:
            yield f"{association.name}: no board account; no discussions."
            continue
        now = clock.now()
        # The posts are written out of their order in time, which the rate limits would refuse: off meanwhile.
        rules = CommunitySettings.of_association(association.id)
        CommunitySettings.update(post_interval_seconds=0, posts_per_day=0).where(
            CommunitySettings.id == rules.id
        ).execute()
        for title, posts in plan["document_threads"]:
            document = Document.of(association).where(Document.title == title).first()
            if document is not None:
                for email, text, minutes_ago in posts:
                    with clock.frozen(now - minutes_ago * M):
                        threads.reply_to_document(members[email], document, threads.Draft(text))
        topics = [_topic(association, members, board, topic, now) for topic in plan["topics"]]
        rules.save()  # the limits as they were
        PostDigest.update(state=PostDigest.SENT, sent_at=clock.utcnow_naive()).where(
            PostDigest.thread.in_(Thread.select(Thread.id).where(Thread.association == association))
        ).execute()
        sent = _mailing(association, board, *plan["mailing"])
        yield f"{association.name}: {len(topics) + len(plan['document_threads'])} discussions, a mailing to {sent}."


def _members(association: Association) -> dict[str, Membership]:
    """The demo accounts' memberships, by address."""
    query = (
        Membership.select(Membership, User, Association)
        .join(User)
        .switch(Membership)
        .join(Association)
        .where(Membership.association == association)
    )
    return {m.user.email: m for m in query}


def _topic(association: Association, members: dict, board: Membership, topic: tuple, now: dt.datetime) -> Thread:
    key, title, posts, hidden, locked = topic
    category = Category.get((Category.association == association) & (Category.key == key))
    written = []
    thread = None
    for email, text, minutes_ago in posts:
        with clock.frozen(now - minutes_ago * M):
            if thread is None:
                thread = threads.start_topic(members[email], category, title, threads.Draft(text))
                written.append(Post.get((Post.thread == thread.id) & (Post.number == 1)))
            else:
                written.append(threads.reply(members[email], thread, threads.Draft(text)))
    if hidden is not None:
        index, reason = hidden
        with clock.frozen(now - posts[index][2] * M + 45 * M):
            moderation.hide(written[index], board.user, reason)
    if locked:
        with clock.frozen(now - posts[-1][2] * M + 60 * M):
            moderation.set_locked(thread, board.user, True, "")
    return thread


def _mailing(association: Association, board: Membership, subject: str, body: str) -> int:
    """The board's mailing to everyone with an address, sent; one recipient's mail failed, one bounced."""
    with transaction():
        mailing = Mailing.create(association=association, author=board.user_id, subject=subject, body=body)
    everyone = mass_mail.candidates(association, mass_mail.Filters(), newsletter=False)
    mass_mail.choose(mailing, mass_mail.Filters(), everyone, {c.person_id for c in everyone if c.eligible})
    sent = mass_mail.send_mailing(mailing, association)
    rows = [
        r.email_id
        for r in MailingRecipient.select(MailingRecipient.email).where(MailingRecipient.mailing == mailing.id)
        .order_by(MailingRecipient.id.desc()).limit(2)
    ]  # fmt: skip
    if len(rows) == 2:
        failed, bounced = rows
        OutboundEmail.update(
            status=OutboundEmail.FAILED, attempts=5, last_error="SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable"
        ).where(OutboundEmail.id == failed).execute()
        now = clock.utcnow_naive()
        OutboundEmail.update(bounced_at=now, bounce_reason="5.2.2 mailbox full").where(
            OutboundEmail.id == bounced
        ).execute()
        address = OutboundEmail.get_by_id(bounced).to_address
        Person.update(email_bounced_at=now, email_bounce_reason="5.2.2 mailbox full").where(
            (Person.association == association) & (Person.email == address)
        ).execute()
    return sent
