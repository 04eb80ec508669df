"""The post mail with the discussions' own pages (issue 11 items 1 and 3 together): a reply written and
fixed through the forms is mailed once, five minutes on, with its final text; an edit alone mails
nobody; the mail's link opens the post for its reader, and its one-click unfollow stops the next mail."""

from __future__ import annotations

import datetime as dt

from blueprints.community import notifications
from models import OutboundEmail
from models.community import Post, Subscription
from tests.factories.community import make_post, make_topic
from tests.helpers import link_in, text_of


def test_a_reply_fixed_through_the_edit_form_is_mailed_once_with_its_final_text(
    app, alpha, make_user, login, new_client, smtp_server, frozen_clock
):
    anna = make_user(alpha, "anna@alpha.example", "member")
    topic = make_topic(alpha, "Bicycle room", author=anna)
    make_post(topic, anna, "Who has the key?")
    Subscription.create(association=alpha, user=anna, thread=topic)

    writer = new_client()
    login(writer, make_user(alpha, "bo@alpha.example", "tenant").email)
    response = writer.submit(f"/alpha/discussions/{topic.id}/posts", {"body": "The caretkaer has it."})
    assert response.status_code == 302
    reply = Post.get((Post.thread == topic) & (Post.number == 2))
    frozen_clock.advance(dt.timedelta(minutes=2))
    edit = f"/alpha/posts/{reply.id}/edit"
    response = writer.submit(edit, {f"edit{reply.id}-body": "The caretaker has it."})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    frozen_clock.advance(dt.timedelta(minutes=3))
    with app.app_context():
        assert notifications.send_due() == 1
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == "anna@alpha.example"
    assert "The caretaker has it." in text_of(mail) and "caretkaer" not in text_of(mail)

    # A later edit mails nobody.
    frozen_clock.advance(dt.timedelta(minutes=1))
    writer.submit(edit, {f"edit{reply.id}-body": "The caretaker has it, ask at number 4."})
    frozen_clock.advance(dt.timedelta(minutes=10))
    with app.app_context():
        assert notifications.send_due() == 0
    assert OutboundEmail.select().count() == 1

    # The mail's link opens the post in its thread for its reader.
    reader = new_client()
    login(reader, "anna@alpha.example")
    opened = reader.get(link_in(mail, f"/posts/{reply.id}/link"))
    assert opened.status_code == 302 and f"#post-{reply.id}" in opened.location

    # One click from the mail programme, then Bo writes again: Anna is not mailed.
    assert new_client().post(link_in(mail, "/unfollow/")).status_code == 200
    writer.submit(f"/alpha/discussions/{topic.id}/posts", {"body": "Found it."})
    frozen_clock.advance(dt.timedelta(minutes=5))
    with app.app_context():
        assert notifications.send_due() == 1
    assert OutboundEmail.select().count() == 1
    # The thread's page shows her unfollowed too (the same row).
    assert Subscription.get((Subscription.user == anna.id) & (Subscription.thread == topic.id)).active is False
