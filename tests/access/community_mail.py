"""Access matrix entries for mass mail: the board's (mail.send_mass); the newsletter unsubscribe link is
public (a signed token names the member), so everyone holding it gets the page.

In world() a draft in alpha with one chosen recipient, and the unsubscribe link of alpha's member.
"""

from itsdangerous import URLSafeSerializer

from config import TestConfig
from models import Person, User
from models.community import Mailing, MailingRecipient
from tests.access.common import BOARD_UP, LOGIN, everyone, holders_of

board = lambda status=200: holders_of(BOARD_UP, status)  # noqa: E731

MATRIX = {
    ("community.mailings", "GET"): board(),
    ("community.mailing_new", "GET"): board(),
    ("community.mailing_new", "POST"): board(422),  # no subject
    ("community.mailing_page", "GET"): board(),
    ("community.mailing_edit", "GET"): board(),
    ("community.mailing_edit", "POST"): board(422),  # no subject
    ("community.mailing_recipients", "GET"): board(),
    ("community.mailing_recipients", "POST"): board(422),  # nobody ticked
    ("community.mailing_test", "POST"): board(302),
    ("community.mailing_send", "GET"): board(),
    ("community.mailing_send", "POST"): board(302),
    ("community.mailing_delete", "POST"): board(302),
    ("community.mailing_personal", "POST"): board(422),  # no files
    ("community.mailing_personal_remove", "POST"): board(302),
    ("community.newsletter_unsubscribe", "GET"): everyone(200),
    ("community.newsletter_unsubscribe", "POST"): everyone(200),
}
assert all(expected["anonymous"] in (LOGIN, 200) for expected in MATRIX.values())


def world(alpha, beta, users) -> dict:
    """A draft to the member, and the member's unsubscribe link."""
    draft = Mailing.create(association=alpha, author=users["board"], subject="Spring cleaning", body="Saturday.")
    member = Person.get((Person.association == alpha) & (Person.user == users["member"]))
    MailingRecipient.create(
        mailing=draft, person=member, user=users["member"], name=member.full_name, address=users["member"].email
    )
    user = User.get_by_id(users["member"].id)
    token = URLSafeSerializer(TestConfig.SECRET_KEY, salt="community.newsletters").dumps([alpha.id, user.id])
    return {"mailing_id": draft.id, "newsletter_token": token}
