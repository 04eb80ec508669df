"""The delayed mail about new posts (issue 11 item 3, C2) through real Redis, RQ's scheduler, a worker and
the SMTP server, with Porch's clock frozen: the mail waits five minutes and then carries the posts as they
are; several posts make one mail; only followers who read the thread and kept the kind on are mailed."""

from __future__ import annotations

import datetime as dt

import pytest

from blueprints.community import notifications
from core import notifications as kinds
from models import OutboundEmail, User
from models.community import Category, Post, PostDigest, Subscription
from models.db import transaction
from tests.blueprints.community.notify_helpers import Rq, change, follow, write
from tests.factories.community import make_topic
from tests.helpers import text_of

FIVE_MINUTES = dt.timedelta(minutes=5)


@pytest.fixture
def people(app, alpha, make_user):
    return {
        "author": make_user(alpha, "author@alpha.example", "member"),
        "neighbour": make_user(alpha, "neighbour@alpha.example", "member"),
        "tenant": make_user(alpha, "tenant@alpha.example", "tenant"),
        "quiet": make_user(alpha, "quiet@alpha.example", "member"),
        "gone": make_user(alpha, "gone@alpha.example", "member"),
    }


@pytest.fixture
def topic(alpha, people):
    """An owners-only topic everyone of `people` follows: the tenant may not read it."""
    owners = Category.get((Category.association == alpha) & (Category.key == Category.OWNERS))
    thread = make_topic(alpha, "Bicycle room", category=owners, author=people["author"])
    for key in ("neighbour", "tenant", "quiet", "gone"):
        follow(thread, people[key])
    return thread


@pytest.fixture
def rq(app, redis):
    return Rq(app, redis)


def switch_off(alpha, user, kind):
    with transaction():
        kinds.save_choices(user.id, alpha.id, {kind: kinds.Choice(False, ())})


def bodies(messages, address):
    return [text_of(m) for m in messages if m["To"] == address]


def test_a_post_edited_within_five_minutes_mails_its_final_text_once(
    app, alpha, people, topic, rq, smtp_server, frozen_clock
):
    User.update(ui_language="sv").where(User.id == people["quiet"].id).execute()
    post = write(app, topic, people["author"], "The bike room is flodded.")
    (digest,) = PostDigest.select()
    assert digest.due_at == frozen_clock.now.replace(tzinfo=None) + FIVE_MINUTES
    assert rq.scheduled() == [notifications.job_id(digest.id)]
    rq.run()  # not due yet: the scheduler leaves it waiting
    assert OutboundEmail.select().count() == 0 and rq.scheduled() == [notifications.job_id(digest.id)]

    frozen_clock.advance(dt.timedelta(minutes=3))
    change(app, post, body="The bike room is flooded.")  # the typo fixed within the delay
    frozen_clock.advance(dt.timedelta(minutes=2))
    rq.come_due()
    rq.run()

    messages = smtp_server.wait_for(3)
    # Every follower who reads the owners' topic; not the tenant, not the author of the only post.
    assert sorted(m["To"] for m in messages) == ["gone@alpha.example", "neighbour@alpha.example", "quiet@alpha.example"]
    (text,) = bodies(messages, "neighbour@alpha.example")
    assert "The bike room is flooded." in text and "flodded" not in text
    assert "Bicycle room" in messages[0]["Subject"]
    languages = {row.to_address: row.language for row in OutboundEmail.select()}
    assert languages == {"gone@alpha.example": "en", "neighbour@alpha.example": "en", "quiet@alpha.example": "sv"}
    assert PostDigest.get_by_id(digest.id).state == PostDigest.SENT

    # Run again (a sweep, a second job): nothing more is sent.
    with app.app_context():
        assert notifications.send(digest.id) == "skipped"
        assert notifications.send_due() == 0
    rq.run()
    assert len(smtp_server.wait_for(4, timeout=1)) == 3


@pytest.mark.parametrize("state", [Post.DELETED, Post.HIDDEN])
def test_a_post_deleted_or_hidden_within_five_minutes_mails_nothing(
    app, alpha, people, topic, rq, smtp_server, frozen_clock, state
):
    post = write(app, topic, people["author"], "Selling my old bike, 50 kr")
    frozen_clock.advance(dt.timedelta(minutes=1))
    change(app, post, state=state)
    frozen_clock.advance(FIVE_MINUTES)
    rq.come_due()
    rq.run()
    assert OutboundEmail.select().count() == 0
    (digest,) = PostDigest.select()
    assert digest.state == PostDigest.SENT and digest.mails == 0


def test_three_posts_within_the_delay_make_one_mail(app, alpha, people, topic, rq, smtp_server, frozen_clock):
    write(app, topic, people["author"], "First: the door sticks.")
    frozen_clock.advance(dt.timedelta(minutes=1))
    write(app, topic, people["neighbour"], "Second: it does, since Monday.")
    frozen_clock.advance(dt.timedelta(minutes=1))
    write(app, topic, people["author"], "Third: I called the caretaker.")
    assert PostDigest.select().count() == 1 and len(rq.scheduled()) == 1
    frozen_clock.advance(dt.timedelta(minutes=3))
    rq.come_due()
    rq.run()

    messages = smtp_server.wait_for(4)
    # One mail each; nobody reads their own posts in theirs, the author reads the neighbour's.
    assert sorted(m["To"] for m in messages) == [
        "author@alpha.example",
        "gone@alpha.example",
        "neighbour@alpha.example",
        "quiet@alpha.example",
    ]
    (quiet,) = bodies(messages, "quiet@alpha.example")
    assert quiet.index("First") < quiet.index("Second") < quiet.index("Third")
    assert "3 new posts" in next(m for m in messages if m["To"] == "quiet@alpha.example")["Subject"]
    (author,) = bodies(messages, "author@alpha.example")
    assert "Second: it does" in author and "First" not in author and "Third" not in author
    (neighbour,) = bodies(messages, "neighbour@alpha.example")
    assert "Second" not in neighbour and "First" in neighbour

    # A post after the mail left opens a new wait of its own.
    write(app, topic, people["neighbour"], "Fourth: fixed.")
    assert PostDigest.select().where(PostDigest.state == PostDigest.WAITING).count() == 1


def test_no_mail_to_who_cannot_read_unfollowed_or_switched_the_kind_off(
    app, alpha, people, topic, rq, smtp_server, frozen_clock
):
    switch_off(alpha, people["quiet"], notifications.NEW_POSTS)
    Subscription.update(active=False).where(Subscription.user == people["gone"].id).execute()
    write(app, topic, people["author"], "Who has the key?")
    frozen_clock.advance(FIVE_MINUTES)
    rq.come_due()
    rq.run()
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "neighbour@alpha.example"  # not the tenant, the quiet one, the one who left
    assert OutboundEmail.select().count() == 1


def test_a_category_follow_mails_unless_the_thread_is_unfollowed_and_mentions_reach_non_followers(
    app, alpha, make_user, people, smtp_server, frozen_clock
):
    everyone = Category.get((Category.association == alpha) & (Category.key == Category.EVERYONE))
    thread = make_topic(alpha, "Summer party", category=everyone)
    Subscription.create(association=alpha, user=people["neighbour"], category=everyone)
    Subscription.create(association=alpha, user=people["gone"], category=everyone)
    follow(thread, people["gone"], active=False)  # follows the category, unfollowed this topic
    muted = make_user(alpha, "muted@alpha.example", "member")
    switch_off(alpha, muted, notifications.MENTIONS)
    # Both are mentioned. The follow the posting service adds is undone here, and the tenant switched
    # "New posts" off: the mention alone mails the tenant, and nobody who switched mentions off.
    write(app, thread, people["author"], "@tenant @muted bring chairs?", mentions=[people["tenant"], muted])
    Subscription.update(active=False).where(Subscription.user.in_([people["tenant"].id, muted.id])).execute()
    switch_off(alpha, people["tenant"], notifications.NEW_POSTS)

    frozen_clock.advance(FIVE_MINUTES)
    with app.app_context():
        assert notifications.send_due() == 1  # no Redis: sent here
    messages = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["neighbour@alpha.example", "tenant@alpha.example"]
    (tenant,) = bodies(messages, "tenant@alpha.example")
    assert "mentioned you" in tenant


def test_without_redis_the_tick_sends_what_is_due_and_not_what_is_not(
    app, alpha, people, topic, smtp_server, frozen_clock
):
    write(app, topic, people["author"], "Early post")
    frozen_clock.advance(dt.timedelta(minutes=3))
    other = make_topic(alpha, "Parking", category=topic.category)
    follow(other, people["neighbour"])
    write(app, other, people["author"], "Late post")
    assert OutboundEmail.select().count() == 0  # nothing inline

    frozen_clock.advance(dt.timedelta(minutes=2))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "tick"])
    assert result.exit_code == 0, result.output
    assert "1 discussion(s) with new posts mailed" in result.output
    messages = smtp_server.wait_for(3)
    assert all("Early post" in text_of(m) for m in messages) and len(messages) == 3

    frozen_clock.advance(dt.timedelta(minutes=3))
    result = runner.invoke(args=["jobs", "tick"])
    assert "1 discussion(s) with new posts mailed" in result.output
    late = [m for m in smtp_server.wait_for(4) if "Late post" in text_of(m)]
    assert [m["To"] for m in late] == ["neighbour@alpha.example"]
    assert "0 discussion(s)" in runner.invoke(args=["jobs", "tick"]).output


def test_a_job_run_before_its_time_waits_again(app, alpha, people, topic, rq, smtp_server, frozen_clock):
    write(app, topic, people["author"], "Too soon?")
    (digest,) = PostDigest.select()
    rq.come_due()  # RQ's clock ahead of Porch's
    rq.run()
    assert OutboundEmail.select().count() == 0
    assert PostDigest.get_by_id(digest.id).state == PostDigest.WAITING
    (again,) = rq.scheduled()
    assert again.startswith(notifications.job_id(digest.id) + "-")
    frozen_clock.advance(FIVE_MINUTES)
    rq.come_due()
    rq.run()
    assert len(smtp_server.wait_for(3)) == 3


def test_a_digest_whose_job_was_lost_is_sent_by_the_sweep(app, alpha, people, topic, rq, smtp_server, frozen_clock):
    write(app, topic, people["author"], "Redis was flushed")
    rq.redis.flushdb()
    frozen_clock.advance(FIVE_MINUTES)
    with app.app_context():
        assert notifications.send_due() == 1  # queued afresh
    rq.run()
    assert len(smtp_server.wait_for(3)) == 3


def test_the_mail_offers_one_click_unfollow_that_stops_further_mail(
    app, alpha, people, topic, new_client, smtp_server, frozen_clock
):
    write(app, topic, people["author"], "Meeting on Monday")
    frozen_clock.advance(FIVE_MINUTES)
    with app.app_context():
        notifications.send_due()
    (mail,) = [m for m in smtp_server.wait_for(3) if m["To"] == "neighbour@alpha.example"]
    link = mail["List-Unsubscribe"].strip(" <>")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in text_of(mail).split()
    path = link.removeprefix("http://porch.test")

    browser = new_client()
    page = browser.get(path)
    assert page.status_code == 200
    assert "Stop mail about “Bicycle room”?" in page.get_data(as_text=True)
    assert Subscription.get(Subscription.user == people["neighbour"].id).active  # a GET changes nothing

    # The mail programme's one-click POST: no session, no CSRF token (and CSRF is on in tests).
    programme = new_client()
    response = programme.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "No more mail about this discussion" in response.get_data(as_text=True)
    assert not Subscription.get(Subscription.user == people["neighbour"].id).active

    write(app, topic, people["author"], "Meeting moved to Tuesday")
    frozen_clock.advance(FIVE_MINUTES)
    with app.app_context():
        notifications.send_due()
    later = [m for m in smtp_server.wait_for(5) if "Tuesday" in text_of(m)]
    assert sorted(m["To"] for m in later) == ["gone@alpha.example", "quiet@alpha.example"]


def test_unfollowing_a_followed_category_from_a_topic_mail_creates_the_unfollow(app, alpha, people, client):
    everyone = Category.get((Category.association == alpha) & (Category.key == Category.EVERYONE))
    thread = make_topic(alpha, "Garden", category=everyone)
    Subscription.create(association=alpha, user=people["neighbour"], category=everyone)
    with app.test_request_context():
        token = notifications.unfollow_token(people["neighbour"].id, thread.id)
    assert client.post(f"/alpha/unfollow/{token}").status_code == 200
    row = Subscription.get((Subscription.user == people["neighbour"].id) & (Subscription.thread == thread.id))
    assert row.active is False
    with app.app_context():
        assert people["neighbour"].id not in [u.id for u in notifications.recipients(alpha, thread, [], {})]


def test_a_bad_or_foreign_unfollow_token_is_404(app, alpha, make_association, people, topic, client):
    beta = make_association("beta")
    with app.test_request_context():
        token = notifications.unfollow_token(people["neighbour"].id, topic.id)
        other_thread = notifications.unfollow_token(people["neighbour"].id, topic.id + 1000)
    assert client.get(f"/alpha/unfollow/{token}x").status_code == 404
    assert client.post(f"/alpha/unfollow/{token}x").status_code == 404
    assert client.get(f"/alpha/unfollow/{other_thread}").status_code == 404
    assert client.post(f"/{beta.slug}/unfollow/{token}").status_code == 404  # alpha's thread, beta's address
    from itsdangerous import URLSafeSerializer

    forged = URLSafeSerializer("another-secret", salt="community.unfollow").dumps([people["neighbour"].id, topic.id])
    assert client.post(f"/alpha/unfollow/{forged}").status_code == 404
    assert Subscription.get(Subscription.user == people["neighbour"].id).active


def test_hostile_post_text_and_title_are_inert_in_the_mail(app, alpha, people, topic, smtp_server, frozen_clock):
    topic.title = "<script>alert(1)</script>"
    topic.save()
    write(
        app,
        topic,
        people["author"],
        "<script>alert(2)</script> <img src=x onerror=alert(3)> [x](javascript:alert(4)) **bold**",
    )
    frozen_clock.advance(FIVE_MINUTES)
    with app.app_context():
        notifications.send_due()
    smtp_server.wait_for(3)
    row = OutboundEmail.get(OutboundEmail.to_address == "neighbour@alpha.example")
    html = row.body_html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the title shown as text
    assert "<strong>bold</strong>" in html  # Markdown still rendered


@pytest.fixture
def app_overrides():
    return {"COUNT_QUERIES": True}


def test_recipients_take_the_same_queries_however_many_follow(app, alpha, make_user, people, topic, outbox):
    from flask import g

    def counted():
        with app.app_context():
            g.query_count = 0
            found = notifications.recipients(alpha, topic, [], {})
            return g.query_count, len(found)

    few = counted()
    for n in range(12):
        follow(topic, make_user(alpha, f"owner{n}@alpha.example", "member"))
    many = counted()
    assert many[0] == few[0] and many[1] == few[1] + 12


def test_the_kinds_are_in_my_account(app, alpha, people, login, client):
    login(client, "neighbour@alpha.example")
    page = client.get("/alpha/account").get_data(as_text=True)
    assert "New posts in discussions you follow" in page and "When someone mentions you" in page
    assert User.get_by_id(people["neighbour"].id).state == User.ACTIVE


def test_without_a_scheduler_the_sweep_queues_a_job_whose_time_long_passed(
    app, alpha, people, topic, rq, smtp_server, frozen_clock
):
    import time

    from rq import SimpleWorker

    write(app, topic, people["author"], "Workers started without --with-scheduler")
    (job_id,) = rq.scheduled()
    frozen_clock.advance(FIVE_MINUTES)
    rq.redis.zadd(rq.registry.key, {job_id: int(time.time()) - 10})  # due a moment ago: the scheduler's
    with app.app_context():
        assert notifications.send_due() == 0
    assert rq.scheduled() == [job_id]
    rq.redis.zadd(rq.registry.key, {job_id: int(time.time()) - 600})  # long past: nobody schedules
    with app.app_context():
        assert notifications.send_due() == 1
    assert rq.scheduled() == [] and rq.queue.get_job_ids() == [job_id]
    with app.app_context():
        SimpleWorker([rq.queue], connection=rq.redis).work(burst=True)  # a worker without a scheduler
    assert len(smtp_server.wait_for(3)) == 3
