"""Moderation (issue 11 item 4): every action changes what it says, is logged, and tells the listeners;
flags reach the board's queue; the author reads why their post was hidden, others only that it was."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from blueprints.community import moderation, rules, signals
from models.community import ModerationLog, Post, PostFlag, PostingPause, Thread
from models.documents import Document, Folder
from tests.blueprints.community import moderation_fixtures as fixtures
from tests.factories.community import make_document_thread, make_post, make_topic

# The shared fixtures, by name (the package's conftest.py is the discussions').
as_user, people, post, topic = fixtures.as_user, fixtures.people, fixtures.post, fixtures.topic


HX = {"HX-Request": "true"}


def submit(client, path, data=None, *, form_page=None, headers=None):
    """POST with the CSRF token a page of the board carries (the form may only exist in an htmx answer)."""
    return client.submit(path, data or {}, form_page=form_page or "/alpha/moderation/pauses", headers=headers)


def only_log(action: str) -> ModerationLog:
    (row,) = ModerationLog.select().where(ModerationLog.action == action)
    return row


@pytest.fixture
def board(as_user, people):
    return as_user(people.board)


@pytest.fixture
def changed():
    """The posts the on_post_changed listeners were told about."""
    seen: list[tuple[int, str]] = []

    def listener(post):
        seen.append((post.id, post.state))

    signals.on_post_changed.append(listener)
    yield seen
    signals.on_post_changed.remove(listener)


# --- actions on a post -----------------------------------------------------------------------------


def test_hiding_a_post_keeps_the_reason_logs_it_and_tells_the_listeners(board, people, post, topic, changed):
    response = submit(board, f"/alpha/moderation/posts/{post.id}/hide", {"reason": "Name-calling."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/alpha/posts/{post.id}/link")
    hidden = fixtures.reload(post)
    assert hidden.state == Post.HIDDEN and hidden.hidden_reason == "Name-calling."
    assert hidden.hidden_by_id == people.board.id and hidden.hidden_at is not None
    row = only_log(ModerationLog.HIDE)
    assert (row.moderator_id, row.post_id, row.thread_id, row.member_id) == (
        people.board.id,
        post.id,
        topic.id,
        people.author.id,
    )
    assert row.reason == "Name-calling."
    assert changed == [(post.id, Post.HIDDEN)]


def test_hiding_needs_a_reason_and_keeps_the_page(board, post):
    response = submit(board, f"/alpha/moderation/posts/{post.id}/hide", {"reason": "  "})
    assert response.status_code == 422
    assert "Give the reason: the author will read it." in response.get_data(as_text=True)
    assert fixtures.reload(post).state == Post.VISIBLE and ModerationLog.select().count() == 0


def test_restoring_a_hidden_post_is_logged(board, people, post, changed):
    submit(board, f"/alpha/moderation/posts/{post.id}/hide", {"reason": "Off topic."})
    response = submit(board, f"/alpha/moderation/posts/{post.id}/restore", {"reason": "It was on topic after all."})
    assert response.status_code == 302
    restored = fixtures.reload(post)
    assert restored.state == Post.VISIBLE and restored.hidden_reason == "" and restored.hidden_by_id is None
    row = only_log(ModerationLog.RESTORE)
    assert row.post_id == post.id and row.reason == "It was on topic after all." and row.moderator_id == people.board.id
    assert changed == [(post.id, Post.HIDDEN), (post.id, Post.VISIBLE)]


def test_deleting_asks_first_then_is_logged(board, people, post, changed):
    page = board.get(f"/alpha/moderation/posts/{post.id}/delete")
    assert page.status_code == 200
    assert "Delete this post for good?" in page.get_data(as_text=True)
    assert fixtures.reload(post).state == Post.VISIBLE  # asking changed nothing
    response = submit(board, f"/alpha/moderation/posts/{post.id}/delete", {"reason": "Spam."})
    assert response.status_code == 302
    deleted = fixtures.reload(post)
    assert deleted.state == Post.DELETED and deleted.deleted_by_id == people.board.id
    row = only_log(ModerationLog.DELETE)
    assert row.post_id == post.id and row.member_id == people.author.id and row.reason == "Spam."
    assert changed == [(post.id, Post.DELETED)]


def test_a_deleted_post_cannot_be_hidden_or_restored(board, post):
    submit(board, f"/alpha/moderation/posts/{post.id}/delete")
    response = submit(board, f"/alpha/moderation/posts/{post.id}/restore")
    assert response.status_code == 302
    assert "Only a hidden post can be restored." in board.get(response.headers["Location"], follow_redirects=True).text
    assert fixtures.reload(post).state == Post.DELETED
    assert [r.action for r in ModerationLog.select()] == [ModerationLog.DELETE]


# --- actions on a thread ---------------------------------------------------------------------------


def test_locking_and_unlocking_are_logged(board, people, topic):
    response = submit(board, f"/alpha/moderation/threads/{topic.id}/lock", {"reason": "Heated."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/alpha/discussions/{topic.id}")
    assert fixtures.reload(topic).locked is True
    lock = only_log(ModerationLog.LOCK)
    assert lock.thread_id == topic.id and lock.moderator_id == people.board.id and lock.reason == "Heated."
    submit(board, f"/alpha/moderation/threads/{topic.id}/unlock")
    assert fixtures.reload(topic).locked is False
    assert only_log(ModerationLog.UNLOCK).thread_id == topic.id


def test_locking_with_htmx_reloads_the_page_with_the_message(board, topic):
    response = submit(board, f"/alpha/moderation/threads/{topic.id}/lock", headers=HX)
    assert response.status_code == 200 and response.headers["HX-Refresh"] == "true"
    assert fixtures.reload(topic).locked is True
    page = board.get(f"/alpha/discussions/{topic.id}").get_data(as_text=True)
    assert "The thread is locked: it takes no new posts." in page


def test_moving_a_topic_is_logged_from_and_to(board, people, topic, categories):
    page = board.get(f"/alpha/moderation/threads/{topic.id}/move", headers=HX).get_data(as_text=True)
    assert 'id="thread-moderation"' in page and "<html" not in page
    owners = categories["owners"]
    response = submit(
        board, f"/alpha/moderation/threads/{topic.id}/move", {"category": owners.id, "reason": "Owners'."}
    )
    assert response.status_code == 302
    assert fixtures.reload(topic).category_id == owners.id
    row = only_log(ModerationLog.MOVE)
    assert row.thread_id == topic.id and row.detail == "All members → Owners only" and row.reason == "Owners'."


def test_moving_to_the_same_category_is_refused(board, topic, categories):
    response = submit(board, f"/alpha/moderation/threads/{topic.id}/move", {"category": categories["everyone"].id})
    assert response.status_code == 422
    assert "The topic is already in" in response.get_data(as_text=True)
    assert ModerationLog.select().count() == 0


def test_a_documents_thread_is_not_moved(board, alpha, people):
    minutes = Folder.get((Folder.association == alpha) & (Folder.key == Folder.MINUTES))
    document = Document.create(association=alpha, folder=minutes, title="Minutes", state=Document.PUBLISHED)
    thread = make_document_thread(document, people.author)
    assert board.get(f"/alpha/moderation/threads/{thread.id}/move").status_code == 404


# --- posting pauses --------------------------------------------------------------------------------


def refusal(app, alpha, user):
    with app.test_request_context("/alpha/"):
        return rules.refusal(alpha, user.id)


def test_pausing_and_lifting_are_logged_and_the_pause_stops_posting(app, alpha, board, people, frozen_clock):
    until = alpha.today() + dt.timedelta(days=7)
    response = submit(
        board,
        "/alpha/moderation/pauses",
        {"member": people.author.id, "until": until.isoformat(), "reason": "Insults in three threads."},
    )
    assert response.status_code == 302
    pause = PostingPause.get()
    assert (pause.user_id, pause.until, pause.created_by_id) == (people.author.id, until, people.board.id)
    row = only_log(ModerationLog.PAUSE)
    assert row.member_id == people.author.id and row.reason == "Insults in three threads."
    assert "paused your posting" in refusal(app, alpha, people.author)
    page = board.get("/alpha/moderation/pauses").get_data(as_text=True)
    assert "Insults in three threads." in page and "Lift the pause" in page

    assert submit(board, f"/alpha/moderation/pauses/{pause.id}/lift").status_code == 302
    assert fixtures.reload(pause).lifted_at is not None
    assert only_log(ModerationLog.LIFT_PAUSE).member_id == people.author.id
    assert refusal(app, alpha, people.author) is None


def test_a_pause_needs_a_day_after_today_and_keeps_what_was_typed(alpha, board, people):
    response = submit(
        board,
        "/alpha/moderation/pauses",
        {"member": people.author.id, "until": alpha.today().isoformat(), "reason": "Typed reason"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose a day after today." in page and "Typed reason" in page
    assert PostingPause.select().count() == 0 and ModerationLog.select().count() == 0


def test_a_member_already_paused_is_not_paused_twice(alpha, board, people):
    data = {"member": people.author.id, "until": (alpha.today() + dt.timedelta(days=3)).isoformat(), "reason": "x"}
    submit(board, "/alpha/moderation/pauses", data)
    response = submit(board, "/alpha/moderation/pauses", data)
    assert response.status_code == 422 and "already paused" in response.get_data(as_text=True)
    assert PostingPause.select().count() == 1


def test_only_the_associations_members_can_be_paused(alpha, board, make_association, make_user):
    beta = make_association("beta")
    stranger = make_user(beta, "someone@beta.example", "member")
    data = {"member": stranger.id, "until": (alpha.today() + dt.timedelta(days=3)).isoformat(), "reason": "x"}
    assert submit(board, "/alpha/moderation/pauses", data).status_code == 422
    assert PostingPause.select().count() == 0


def test_another_associations_pause_is_not_found(alpha, board, make_association, make_user):
    beta = make_association("beta")
    someone = make_user(beta, "someone@beta.example", "member")
    pause = PostingPause.create(association=beta, user=someone, until=dt.date(2030, 1, 1), reason="theirs")
    assert submit(board, f"/alpha/moderation/pauses/{pause.id}/lift").status_code == 404
    assert fixtures.reload(pause).lifted_at is None


# --- flags and the queue ----------------------------------------------------------------------------


def test_a_flag_reaches_the_queue_and_hiding_from_the_queue_resolves_it(as_user, board, people, post):
    reader = as_user(people.reader)
    form = reader.get(f"/alpha/posts/{post.id}/flag")
    assert form.status_code == 200 and 'name="reason"' in form.get_data(as_text=True)
    response = reader.submit(f"/alpha/posts/{post.id}/flag", {"reason": "Rude to the neighbours."})
    assert response.status_code == 302
    flag = PostFlag.get()
    assert (flag.post_id, flag.user_id, flag.reason, flag.resolved_at) == (
        post.id,
        people.reader.id,
        "Rude to the neighbours.",
        None,
    )

    queue = board.get("/alpha/moderation").get_data(as_text=True)
    assert "The bicycle room is a mess." in queue and "Rude to the neighbours." in queue
    assert "reader" in queue and "Bicycle room" in queue and "author" in queue
    assert f"/alpha/posts/{post.id}/link" in queue  # open in the thread

    response = board.submit(
        f"/alpha/moderation/posts/{post.id}/hide", {"reason": "Rude.", "back": "queue"}, form_page="/alpha/moderation"
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/alpha/moderation")
    resolved = fixtures.reload(flag)
    assert resolved.resolved_at is not None and resolved.resolved_by_id == people.board.id
    assert fixtures.reload(post).state == Post.HIDDEN
    assert "No flagged posts" in board.get("/alpha/moderation").get_data(as_text=True)


def test_hiding_in_the_queue_with_htmx_answers_with_the_row(as_user, board, people, post):
    as_user(people.reader).submit(f"/alpha/posts/{post.id}/flag", {"reason": "Rude."})
    response = board.submit(
        f"/alpha/moderation/posts/{post.id}/hide",
        {"reason": "Rude.", "back": "queue"},
        form_page="/alpha/moderation",
        headers=HX,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.lstrip().startswith(
        f'<li class="row queue-item queue-done" id="queue-post-{post.id}"'
    )
    assert "The post is hidden." in page


def test_flagging_twice_says_it_is_already_flagged(as_user, people, post):
    reader = as_user(people.reader)
    reader.submit(f"/alpha/posts/{post.id}/flag", {"reason": "Rude."})
    again = reader.submit(f"/alpha/posts/{post.id}/flag", {"reason": "Still rude."})
    assert again.status_code == 422
    assert "You have already flagged this post." in again.get_data(as_text=True)
    assert [f.reason for f in PostFlag.select()] == ["Rude."]


def test_a_dismissed_flag_can_be_given_again(as_user, board, people, post):
    reader = as_user(people.reader)
    reader.submit(f"/alpha/posts/{post.id}/flag", {"reason": "Rude."})
    board.submit(f"/alpha/moderation/posts/{post.id}/dismiss", {"back": "queue"}, form_page="/alpha/moderation")
    reader.submit(f"/alpha/posts/{post.id}/flag", {"reason": "Ruder now."})
    (flag,) = PostFlag.select()
    assert flag.reason == "Ruder now." and flag.resolved_at is None


def test_dismissing_resolves_the_flags_is_logged_and_leaves_the_post(as_user, board, people, post):
    as_user(people.reader).submit(f"/alpha/posts/{post.id}/flag", {"reason": "Rude."})
    as_user(people.tenant).submit(f"/alpha/posts/{post.id}/flag", {"reason": "Mean."})
    response = board.submit(
        f"/alpha/moderation/posts/{post.id}/dismiss", {"back": "queue"}, form_page="/alpha/moderation"
    )
    assert response.status_code == 302
    assert PostFlag.select().where(PostFlag.resolved_at.is_null()).count() == 0
    row = only_log(ModerationLog.DISMISS_FLAGS)
    assert row.post_id == post.id and row.detail == "2"
    assert fixtures.reload(post).state == Post.VISIBLE
    log = board.get("/alpha/moderation/log").get_data(as_text=True)
    assert "Dismissed the flags on a post" in log and "2 flags" in log


def test_the_author_cannot_flag_their_own_post_and_the_board_does_not_flag(as_user, board, people, post):
    assert as_user(people.author).get(f"/alpha/posts/{post.id}/flag").status_code == 403
    assert board.get(f"/alpha/posts/{post.id}/flag").status_code == 200  # the board may, it just hides instead
    assert PostFlag.select().count() == 0


def test_a_post_one_cannot_read_cannot_be_flagged(alpha, as_user, people, categories):
    board_topic = make_topic(alpha, "Board only", category=categories["board"], author=people.board)
    secret = make_post(board_topic, people.board, "Board business")
    assert as_user(people.reader).get(f"/alpha/posts/{secret.id}/flag").status_code == 404


def test_another_associations_post_is_not_found_for_the_board(board, make_association, make_user):
    beta = make_association("beta")
    stranger = make_user(beta, "member@beta.example", "member")
    their_post = make_post(make_topic(beta, "Theirs"), stranger, "Beta's post")
    for path in ("hide", "delete"):
        assert board.get(f"/alpha/moderation/posts/{their_post.id}/{path}").status_code == 404
    assert submit(board, f"/alpha/moderation/posts/{their_post.id}/restore").status_code == 404
    assert submit(board, f"/alpha/moderation/threads/{their_post.thread_id}/lock").status_code == 404
    assert fixtures.reload(Thread.get_by_id(their_post.thread_id)).locked is False


def test_the_board_sees_the_flag_count_among_what_needs_attention(as_user, board, people, post):
    as_user(people.reader).submit(f"/alpha/posts/{post.id}/flag", {"reason": "Rude."})
    home = board.get("/alpha/").get_data(as_text=True)
    assert "1 flagged post to look at" in home
    assert "flagged post" not in as_user(people.reader).get("/alpha/").get_data(as_text=True)


# --- in place (htmx) ------------------------------------------------------------------------------


def test_the_hide_form_opens_in_the_posts_place_and_the_answer_is_the_post(board, post):
    form = board.get(f"/alpha/moderation/posts/{post.id}/hide", headers=HX).get_data(as_text=True)
    assert form.lstrip().startswith(f'<article id="post-{post.id}"') and 'name="reason"' in form
    assert "<html" not in form
    response = submit(board, f"/alpha/moderation/posts/{post.id}/hide", {"reason": "Rude."}, headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.lstrip().startswith(f'<article id="post-{post.id}"')
    assert "The post is hidden." in page and "Show it again" in page


def test_a_refused_hide_in_place_keeps_the_form(board, post):
    response = submit(board, f"/alpha/moderation/posts/{post.id}/hide", {"reason": ""}, headers=HX)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith(f'<article id="post-{post.id}"') and "Give the reason" in page


def test_flagging_in_place_thanks_the_reader(as_user, people, post):
    reader = as_user(people.reader)
    form = reader.get(f"/alpha/posts/{post.id}/flag", headers=HX).get_data(as_text=True)
    assert form.lstrip().startswith(f'<article id="post-{post.id}"')
    response = reader.submit(f"/alpha/posts/{post.id}/flag", {"reason": "Rude."}, headers=HX)
    assert response.status_code == 200 and "the board will look at the post" in response.get_data(as_text=True)


# --- what readers see of a hidden post --------------------------------------------------------------


def test_the_author_reads_the_reason_others_only_that_the_board_hid_it(as_user, board, people, post, topic):
    submit(board, f"/alpha/moderation/posts/{post.id}/hide", {"reason": "Please keep it friendly."})
    author_page = as_user(people.author).get(f"/alpha/discussions/{topic.id}").get_data(as_text=True)
    assert "Please keep it friendly." in author_page
    reader_page = as_user(people.reader).get(f"/alpha/discussions/{topic.id}").get_data(as_text=True)
    assert "Hidden by the board" in reader_page
    assert "Please keep it friendly." not in reader_page and "The bicycle room is a mess." not in reader_page


# --- hostile text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"],
)
def test_hostile_reasons_and_posts_are_inert_in_the_queue_and_the_log(as_user, board, people, topic, payload):
    hostile = make_post(topic, people.author, f"Post {payload}")
    as_user(people.reader).submit(f"/alpha/posts/{hostile.id}/flag", {"reason": f"Flag {payload}"})
    queue = board.get("/alpha/moderation").get_data(as_text=True)
    submit(board, f"/alpha/moderation/posts/{hostile.id}/hide", {"reason": f"Hide {payload}"})
    log = board.get("/alpha/moderation/log").get_data(as_text=True)
    for page in (queue, log):
        assert "<script>alert" not in page
        assert not re.search(r"<img[^>]*onerror", page)
        assert 'href="javascript:' not in page
    assert "Flag &lt;" in queue or "Flag [x]" in queue
    assert "Hide &lt;" in log or "Hide [x](javascript" in log


# --- the log -----------------------------------------------------------------------------------------


def test_the_log_filters_by_action_member_and_moderator(alpha, as_user, board, people, topic, make_user):
    other_post = make_post(topic, people.reader, "Reader's post")
    first = make_post(topic, people.author, "Author's post")
    submit(board, f"/alpha/moderation/posts/{first.id}/hide", {"reason": "R1"})
    admin = make_user(alpha, "admin@alpha.example", "administrator")
    admin_client = as_user(admin)
    admin_client.submit(
        f"/alpha/moderation/posts/{other_post.id}/hide", {"reason": "R2"}, form_page="/alpha/moderation"
    )
    submit(board, f"/alpha/moderation/threads/{topic.id}/lock")

    def reasons(query):
        page = board.get(f"/alpha/moderation/log{query}").get_data(as_text=True)
        return sorted(re.findall(r"Reason: (R\d)", page)), page

    assert reasons("")[0] == ["R1", "R2"]
    assert reasons("?action=hide")[0] == ["R1", "R2"]
    found, page = reasons("?action=lock")
    assert found == [] and "Locked a thread" in page
    assert reasons(f"?member={people.reader.id}")[0] == ["R2"]
    assert reasons(f"?moderator={admin.id}")[0] == ["R2"]
    assert reasons(f"?moderator={people.board.id}&action=hide")[0] == ["R1"]
    assert f"/alpha/posts/{first.id}/link" in reasons("")[1]  # the post is linked


# --- more of the flows ------------------------------------------------------------------------------


def test_a_locked_thread_takes_no_reply_and_the_page_says_so(as_user, board, people, topic, post):
    submit(board, f"/alpha/moderation/threads/{topic.id}/lock")
    reader = as_user(people.reader)
    page = reader.get(f"/alpha/discussions/{topic.id}").get_data(as_text=True)
    assert "it takes no new posts" in page and 'id="reply-form" class="reply-form"' not in page
    response = reader.submit(f"/alpha/discussions/{topic.id}/posts", {"body": "Me too"}, form_page="/alpha/discussions")
    assert response.status_code == 422
    assert Post.select().where(Post.thread == topic.id).count() == 1


def test_deleting_from_the_queue_asks_on_a_page_and_comes_back(as_user, board, people, post):
    as_user(people.reader).submit(f"/alpha/posts/{post.id}/flag", {"reason": "Spam."})
    page = board.get(f"/alpha/moderation/posts/{post.id}/delete?back=queue").get_data(as_text=True)
    assert "Delete this post?" in page and "The bicycle room is a mess." in page and 'value="queue"' in page
    response = board.submit(
        f"/alpha/moderation/posts/{post.id}/delete", {"back": "queue"}, form_page="/alpha/moderation"
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/alpha/moderation")
    assert fixtures.reload(post).state == Post.DELETED
    assert PostFlag.get().resolved_at is not None


def test_delete_and_restore_in_place(board, post):
    confirm = board.get(f"/alpha/moderation/posts/{post.id}/delete", headers=HX).get_data(as_text=True)
    assert confirm.lstrip().startswith(f'<article id="post-{post.id}"') and "Delete this post for good?" in confirm
    submit(board, f"/alpha/moderation/posts/{post.id}/hide", {"reason": "Rude."})
    response = submit(board, f"/alpha/moderation/posts/{post.id}/restore", headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The post is shown again." in page and "Hide…" in page
    response = submit(board, f"/alpha/moderation/posts/{post.id}/delete", headers=HX)
    page = response.get_data(as_text=True)
    assert "Deleted by the board." in page and "The bicycle room is a mess." not in page


def test_a_hidden_post_cannot_be_flagged_and_says_why(as_user, board, people, post):
    submit(board, f"/alpha/moderation/posts/{post.id}/hide", {"reason": "Rude."})
    response = as_user(people.reader).get(f"/alpha/posts/{post.id}/flag", headers=HX)
    assert response.status_code == 422
    assert "This post is no longer shown: there is nothing to flag." in response.get_data(as_text=True)
    assert PostFlag.select().count() == 0


def test_the_thread_bar_and_post_tools_are_the_boards_only(as_user, board, people, topic, post):
    boards = board.get(f"/alpha/discussions/{topic.id}").get_data(as_text=True)
    assert 'id="thread-moderation"' in boards and "Hide…" in boards and "Flag…" not in boards
    readers = as_user(people.reader).get(f"/alpha/discussions/{topic.id}").get_data(as_text=True)
    assert 'id="thread-moderation"' not in readers and "Hide…" not in readers and "Flag…" in readers
    authors = as_user(people.author).get(f"/alpha/discussions/{topic.id}").get_data(as_text=True)
    assert "Flag…" not in authors  # not one's own post


def test_of_two_moderators_acting_at_once_one_acts(app, alpha, people, post, topic, make_user):
    admin = make_user(alpha, "admin@alpha.example", "administrator")
    stale_post, stale_thread = Post.get_by_id(post.id), Thread.get_by_id(topic.id)  # as the second one loaded them
    with app.test_request_context("/alpha/"):
        moderation.hide(post, people.board, "First")
        with pytest.raises(moderation.ModerationError, match="changed this post meanwhile"):
            moderation.hide(stale_post, admin, "Second")
        moderation.set_locked(topic, people.board, True)
        with pytest.raises(moderation.ModerationError, match="changed this thread meanwhile"):
            moderation.set_locked(stale_thread, admin, True)
    assert fixtures.reload(post).hidden_reason == "First"
    assert [(r.action, r.moderator_id) for r in ModerationLog.select().order_by(ModerationLog.id)] == [
        (ModerationLog.HIDE, people.board.id),
        (ModerationLog.LOCK, people.board.id),
    ]


def test_a_flagged_post_its_author_deleted_stays_in_the_queue_until_dismissed(as_user, board, people, post):
    as_user(people.reader).submit(f"/alpha/posts/{post.id}/flag", {"reason": "Rude."})
    as_user(people.author).submit(f"/alpha/posts/{post.id}/delete", {}, form_page=f"/alpha/posts/{post.id}/delete")
    assert fixtures.reload(post).state == Post.DELETED
    queue = board.get("/alpha/moderation").get_data(as_text=True)
    assert "deleted by its author" in queue and "Rude." in queue
    assert f"/alpha/moderation/posts/{post.id}/delete" not in queue and "Hide the post" not in queue
    board.submit(f"/alpha/moderation/posts/{post.id}/dismiss", {"back": "queue"}, form_page="/alpha/moderation")
    assert "No flagged posts" in board.get("/alpha/moderation").get_data(as_text=True)


def test_the_flag_count_counts_posts_with_open_flags_the_member_reads(alpha, people, topic, post, make_association):
    from models import Membership

    PostFlag.create(post=post, association=alpha, user=people.reader, reason="Rude.")
    PostFlag.create(post=post, association=alpha, user=people.tenant, reason="Rude too.")  # the same post
    second = make_post(topic, people.author, "Another")
    PostFlag.create(post=second, association=alpha, user=people.reader, reason="Off topic.")
    dealt_with = make_post(topic, people.author, "Settled")
    PostFlag.create(
        post=dealt_with, association=alpha, user=people.reader, reason="Old.", resolved_at=dt.datetime(2026, 1, 1)
    )
    beta = make_association("beta")
    elsewhere = make_post(make_topic(beta, "Theirs"), None, "Beta's post")
    PostFlag.create(post=elsewhere, association=beta, user=None, reason="Not ours.")
    board = Membership.get((Membership.user == people.board) & (Membership.association == alpha))
    assert moderation.open_flag_count(board) == 2
    assert moderation.open_flag_count(board) == moderation.open_flags(board).select(PostFlag.post).distinct().count()
    assert [item.post.id for item in moderation.queue(board, 1)[0]] == [post.id, second.id]
