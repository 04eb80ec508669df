"""The quick search (issue 10 item 3, SPEC D3): words with or without accents, in titles, bodies and
the text inside attachments, only from folders the member reads (counted and paged in the query), with
snippets that show the document's text as text."""

from __future__ import annotations

import io

import pytest
from rq import Queue, SimpleWorker

from blueprints.documents import library
from blueprints.documents.search_views import index_document
from core import search
from models.documents import Document, DocumentAttachment
from models.search import SearchEntry
from tests.blueprints.documents.conftest import pdf_bytes


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def publish(make_document):
    """A published document, indexed as the library's listener does after a commit."""

    def make(folder, title, body="", **fields):
        document = make_document(folder, title, body, **fields)
        index_document(document.id)
        return document

    return make


def found(client, words, **args) -> str:
    response = client.get("/alpha/search", query_string={"q": words, **args})
    assert response.status_code == 200
    return text(response)


def count_of(page: str) -> int | None:
    import re

    match = re.search(r'<p class="search-count">(\d+) results?</p>', page)
    return int(match.group(1)) if match else None


def test_words_are_found_with_or_without_accents_in_any_case(client, login_as, folders, publish):
    login_as("member")
    publish(folders["minutes"], "Zápis ze schůze výboru", "Příliš žluťoučký kůň úpěl ďábelské ódy.")
    publish(folders["notice_board"], "Städdag i östra trapphuset", "Årsstämma och kaffe på gården.")
    publish(folders["information"], "Üldkoosoleku protokoll", "Jõulupidu toimub õhtul. Tänav on suletud.")
    publish(folders["information"], "Zapis bez hacku", "Psano na anglicke klavesnici.")

    for words in ("zapis schuze", "ZÁPIS", "schůze výboru", "prilis zlutoucky kun", "ÚPĚL ďábelské"):
        page = found(client, words)
        assert "Zápis ze schůze výboru" in page, words
    # With accents typed, text written without them is found too.
    assert "Zapis bez hacku" in found(client, "zápis bez háčku")
    assert count_of(found(client, "zápis")) == 2
    for words in ("ostra", "Östra", "arsstamma", "GÅRDEN kaffe", "städdag"):
        assert "Städdag i östra trapphuset" in found(client, words), words
    for words in ("uldkoosoleku", "Üldkoosoleku", "joulupidu", "õhtul", "tanav"):
        assert "Üldkoosoleku protokoll" in found(client, words), words


def test_every_word_must_match_and_the_last_may_be_the_start_of_one(client, login_as, folders, publish):
    login_as("member")
    publish(folders["minutes"], "Zápis ze schůze", "O garáži se nemluvilo.")
    publish(folders["minutes"], "Rozpočet", "Zápis o opravě střechy.")
    assert count_of(found(client, "zapis")) == 2
    assert count_of(found(client, "zapis strechy")) == 1
    assert "Nothing you may read holds all of these words." in found(client, "zapis vytah")
    page = found(client, "za")  # while typing
    assert count_of(page) == 2
    assert "<mark>garáži</mark>" in found(client, "gara")
    assert count_of(found(client, "zap schuze")) == 0  # only the last word is a start


def test_the_snippet_marks_the_found_words_in_the_text_as_written(client, login_as, folders, publish):
    login_as("member")
    body = "Na schůzi " + "bylo projednáno mnoho věcí. " * 20 + "Výbor schválil opravu výtahu v Östra domě."
    publish(folders["minutes"], "Zápis", body)
    page = found(client, "vytahu ostra")
    assert "<mark>výtahu</mark>" in page and "<mark>Östra</mark>" in page
    assert "Na schůzi" not in page.split('class="snippet"')[1]  # the part around the words, not the start


def test_a_title_is_found_at_once_and_a_pdf_phrase_once_the_job_read_it(
    client, app, alpha, login_as, folders, redis, new_client, login, make_user
):
    login_as("board")
    response = client.submit(
        "/alpha/documents/new",
        {
            "title": "Protokoll från årsstämman",
            "folder": str(folders["minutes"].id),
            "body": "Se bilagan.",
            "files": [(io.BytesIO(pdf_bytes("Beslut om fasadrenovering av gavelväggen")), "protokoll.pdf")],
            "publish": "1",
        },
        form_page="/alpha/documents/new",
    )
    assert response.status_code == 302, text(response)
    document = Document.get(Document.title == "Protokoll från årsstämman")
    attachment = DocumentAttachment.get(DocumentAttachment.document == document)
    assert attachment.text_state == DocumentAttachment.PENDING  # queued on Redis, not yet read

    # The title at once (the listener ran after the commit); the PDF's words not yet.
    assert "Protokoll från årsstämman" in found(client, "arsstamman")
    assert count_of(found(client, "fasadrenovering gavelvaggen")) == 0

    with app.app_context():
        SimpleWorker([Queue(app.config["RQ_QUEUE"], connection=redis)], connection=redis).work(burst=True)
    assert DocumentAttachment.get_by_id(attachment.id).text_state == DocumentAttachment.DONE
    assert "fasadrenovering" in DocumentAttachment.get_by_id(attachment.id).text  # pypdf read the real PDF

    page = found(client, "fasadrenovering gavelvaggen")
    assert count_of(page) == 1 and f"/alpha/documents/{document.id}" in page
    assert "<mark>fasadrenovering</mark>" in page and "<mark>gavelväggen</mark>" in page
    # A member reads Minutes and finds it; a tenant does not.
    for role, expected in (("member", 1), ("tenant", 0)):
        other = new_client()
        login(other, make_user(alpha, f"{role}@alpha.example", role).email)
        response = other.get("/alpha/search", query_string={"q": "fasadrenovering"})
        assert count_of(text(response)) == expected, role


def test_counts_and_pages_hold_only_what_the_member_reads(client, login_as, folders, publish, new_client, login, alpha):
    for number in range(25):
        publish(folders["board"], f"Styrelsens anteckning {number}", "Lönesättning och kaffe för styrelsen.")
    for number in range(5):
        publish(folders["notice_board"], f"Anslag {number}", "Kaffe i föreningslokalen.")
    login_as("tenant")
    page = found(client, "kaffe")
    assert count_of(page) == 5
    assert page.count('class="row"') == 5
    assert "Styrelsens" not in page and "Lönesättning" not in page
    assert 'class="pager"' not in page  # one page
    past_the_end = found(client, "kaffe", page=2)
    assert "Lönesättning" not in past_the_end and count_of(past_the_end) == 5

    board = login_as("board", "board@alpha.example")
    board_client = new_client()
    login(board_client, board.email)
    response = board_client.get("/alpha/search", query_string={"q": "kaffe"})
    page = text(response)
    assert count_of(page) == 30 and page.count('class="row"') == 20 and "Page 1 of 2" in page
    second = text(board_client.get("/alpha/search", query_string={"q": "kaffe", "page": 2}))
    assert count_of(second) == 30 and second.count('class="row"') == 10 and "Page 2 of 2" in second
    assert "Anslag 4" in page and "Styrelsens anteckning 0" in second  # newest first


def test_beyond_the_counted_matches_the_page_says_more_and_pages_still_work(
    client, login_as, folders, publish, monkeypatch
):
    """Matches are counted up to COUNT_UP_TO (here 30): a page says "more than 30", pages on, newest first."""
    monkeypatch.setattr(search, "COUNT_UP_TO", 30)
    for number in range(45):
        publish(folders["notice_board"], f"Anslag {number}", "Kaffe i föreningslokalen.")
    publish(folders["board"], "Styrelsens anteckning", "Kaffe för styrelsen.")
    login_as("tenant")
    page = found(client, "kaffe")
    assert "More than 30 results" in page and count_of(page) is None
    assert page.count('class="row"') == 20 and "Page 1 of 2" in page and "Anslag 44" in page
    second = found(client, "kaffe", page=2)
    assert second.count('class="row"') == 20 and "Anslag 5" in second and "Styrelsens" not in second
    monkeypatch.setattr(search, "COUNT_UP_TO", 45)  # exactly the readable ones: counted, not "more"
    assert count_of(found(client, "kaffe")) == 45


def test_a_snippet_never_shows_text_of_a_folder_the_member_cannot_read(client, login_as, folders, publish):
    publish(folders["board"], "Hemligt", "Ordförandens arvode höjs till 50 000 kronor.")
    publish(folders["notice_board"], "Arvode", "Styrelsens arvode beslutas på stämman.")
    login_as("tenant")
    page = found(client, "arvode")
    assert count_of(page) == 1
    assert "Styrelsens <mark>arvode</mark>" in page
    assert "kronor" not in page and "Hemligt" not in page and "Ordförandens" not in page
    assert count_of(found(client, "kronor")) == 0


def test_hostile_input_is_inert(client, login_as, folders, publish):
    publish(
        folders["notice_board"],
        "<script>alert(1)</script> Kaffe",
        'Kaffe <img src=x onerror="alert(2)"> <b>fet</b> [länk](javascript:alert(3))',
    )
    login_as("tenant")
    page = found(client, "kaffe")
    assert count_of(page) == 1
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "onerror" not in page and "javascript:" not in page and "<b>fet</b>" not in page
    assert "<mark>Kaffe</mark>" in page
    for words in (
        '"',
        "*",
        "-",
        "NEAR",
        "(",
        ")",
        'kaffe"',
        "kaffe*",
        "-kaffe",
        "NEAR(kaffe fet)",
        "kaffe OR fet",
        "a:b",
        "'",
        "&|!",
        ":*",
        "title:kaffe",
        "^kaffe",
        "%_\\",
        "kaffe" * 40,
        " ".join("abc" * 20),
    ):
        response = client.get("/alpha/search", query_string={"q": words})
        assert response.status_code == 200, words
    # A NUL byte is refused before any view, the search's too (PostgreSQL refuses it in every string).
    assert client.get("/alpha/search", query_string={"q": "kaffe\x00"}).status_code == 400
    assert count_of(found(client, "NEAR(kaffe)")) == 0  # "near" is a word like any other
    assert count_of(found(client, '"kaffe" -fet*')) == 1


def test_drafts_are_not_found_and_a_deleted_or_unpublished_document_leaves(client, app, alpha, login_as, folders):
    board = login_as("board")
    with app.test_request_context():
        draft = library.write(
            library.Draft("Utkast om hissen", "Hissen byts.", folders["notice_board"]), [], board, publish=False
        )
        published = library.write(
            library.Draft("Hissen byts", "Nya hissar.", folders["notice_board"]), [], board, publish=True
        )
    assert count_of(found(client, "hissen")) == 1
    assert "Utkast" not in found(client, "hissen")
    assert not SearchEntry.select().where(SearchEntry.object_id == draft.id).exists()
    with app.test_request_context():
        library.remove(Document.get_by_id(published.id), board)
    assert count_of(found(client, "hissen")) == 0
    assert SearchEntry.select().count() == 0


def test_an_edit_or_a_move_is_found_as_it_is_now(client, app, alpha, login_as, folders):
    board = login_as("board")
    with app.test_request_context():
        document = library.write(
            library.Draft("Cykelrummet", "Städas.", folders["notice_board"]), [], board, publish=True
        )
        library.edit(
            document, library.Draft("Cykelförrådet", "Töms.", folders["board"]), [], set(), board, publish=True
        )
    assert count_of(found(client, "cykelrummet")) == 0
    assert "Cykelförrådet" in found(client, "cykelforradet")
    assert SearchEntry.get(SearchEntry.object_id == document.id).folder_id == folders["board"].id


def test_the_results_swap_in_place_for_htmx_and_the_header_has_the_box(client, login_as, folders, publish):
    publish(folders["notice_board"], "Kaffe", "Kaffe.")
    login_as("tenant")
    partial = text(client.get("/alpha/search", query_string={"q": "kaffe"}, headers={"HX-Request": "true"}))
    assert partial.lstrip().startswith('<div id="search-results"') and "<html" not in partial
    page = found(client, "")
    assert 'hx-get="/alpha/search"' in page and 'hx-push-url="true"' in page  # as you type
    assert 'action="/alpha/search"' in page and 'class="top-search"' in page  # the header's box
    assert 'class="top-search-link"' in page  # and the phone's link
    assert count_of(page) is None


def test_rebuild_indexes_what_is_published(app, alpha, folders, make_document):
    make_document(folders["minutes"], "Gammalt protokoll", "Från förr.")
    make_document(folders["minutes"], "Utkast", "Ej klart.", state=Document.DRAFT)
    assert SearchEntry.select().count() == 0
    result = app.test_cli_runner().invoke(args=["search", "rebuild", "--association", "alpha"])
    assert result.exit_code == 0 and "Indexed 1 item(s)." in result.output
    assert [e.title for e in SearchEntry.select()] == ["Gammalt protokoll"]
    result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    assert result.exit_code == 0 and "Indexed 1 item(s)." in result.output
    assert SearchEntry.select().count() == 1
    assert search.words_of('Zápis, ÖSTRA-gården! "x" *') == ["zapis", "ostra", "garden", "x"]


def test_hits_come_newest_first_by_their_date_also_when_backdated(client, login_as, folders, publish):
    import datetime as dt

    publish(folders["notice_board"], "Kaffe i maj", "Kaffe.", created_at=dt.datetime(2026, 5, 1))
    publish(folders["notice_board"], "Kaffe förr", "Kaffe.", created_at=dt.datetime(2019, 1, 1))  # backdated
    publish(folders["notice_board"], "Kaffe i juni", "Kaffe.", created_at=dt.datetime(2026, 6, 1))
    login_as("tenant")
    page = found(client, "kaffe")
    assert page.index("Kaffe i juni") < page.index("Kaffe i maj") < page.index("Kaffe förr")


def test_the_snippet_cut_for_postgresql_finds_words_whatever_their_accents_and_case():
    """PostgreSQL's snippets are cut by core.search itself: every word typed, accents and case aside, the
    last as the start of a word, marked in a window of the text around the first one found."""
    pattern = search._pattern(["vytahu", "ostra", "zap"])
    text = "Na schůzi " + "bylo projednáno mnoho věcí. " * 20 + "Výbor schválil opravu VÝTAHU v Östra domě; zápisy."
    cut = search._cut(pattern, text)
    marks = search.marked(cut)
    assert "<mark>VÝTAHU</mark>" in marks and "<mark>Östra</mark>" in marks and "<mark>zápisy</mark>" in marks
    assert cut.startswith("… ") and "Na schůzi" not in cut and len(cut) < 260
    assert search._cut(pattern, "výtahová šachta") == ""  # a whole word, not the start of one (but the last)
    assert search._cut(search._pattern(["gavelvaggen"]), "Om GAVELVÄGGEN.") == "Om \x02GAVELVÄGGEN\x03."
