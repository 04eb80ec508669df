"""Two-factor authentication (SPEC P6): setting it up through the pages, the step-up a guarded permission
asks for, recovery codes, throttled guessing, no replay, codes by e-mail and the login's second step."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import parse_qs, urlsplit

import pyotp

from blueprints.portal import two_factor
from models import AuditLog, RecoveryCode, SecondFactor, SecondFactorAttempt, User, UserSession
from tests.factories.two_factor import current_code, step_up
from tests.helpers import PASSWORD

BASE = "/alpha/account/two-factor"
SETTINGS = "/alpha/admin/settings"


def secret_on(page: str) -> str:
    """The key the setup page shows for typing, as a member would copy it (without the spaces)."""
    match = re.search(r'id="totp-secret">([^<]+)<', page)
    assert match, page[:3000]
    return match.group(1).replace(" ", "")


def recovery_codes_on(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", page)


def app_code(secret: str, frozen_clock, steps_later: int = 0) -> str:
    return pyotp.TOTP(secret).at(frozen_clock.now + dt.timedelta(seconds=30 * steps_later))


def mailed_code(outbox) -> str:
    (mail,) = outbox.rows(kind="second_factor_code")[-1:]
    return re.search(r"^(\d{6})$", mail.body_text, re.M).group(1)


def session_passed(user) -> bool:
    row = (
        UserSession.select()
        .where((UserSession.user == user) & UserSession.ended_at.is_null())
        .order_by(UserSession.id.desc())
        .get()
    )
    return row.second_factor_at is not None


def sent_to(location: str) -> tuple[str, dict[str, str]]:
    """A redirect's path and its query, decoded."""
    parts = urlsplit(location)
    return parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}


def guard(association, *permissions: str) -> None:
    association.second_factor_permissions = " ".join(permissions)
    association.save()


# --- setting it up through the pages --------------------------------------------------------------


def test_a_member_sets_up_an_authenticator_app_and_sees_the_recovery_codes_once(client, alpha, login_as, frozen_clock):
    member = login_as("member")
    assert "Two-factor authentication" in client.get("/alpha/account").get_data(as_text=True)
    overview = client.get(BASE).get_data(as_text=True)
    assert "Not set up" in overview and "Recovery codes" not in overview

    page = client.get(f"{BASE}/app").get_data(as_text=True)
    secret = secret_on(page)
    assert '<svg role="img" aria-label="QR code to scan with your authenticator app"' in page
    factor = SecondFactor.get(SecondFactor.user == member)
    assert factor.secret == secret and factor.confirmed_at is None  # not counted until a first code

    # The token from another page: showing the app page again would give the app a new key.
    wrong = client.submit(f"{BASE}/app", {"code": "000000"}, form_page=BASE)
    assert wrong.status_code == 422 and "This code is not right" in wrong.get_data(as_text=True)
    assert SecondFactor.get_by_id(factor.id).confirmed_at is None

    done = client.submit(f"{BASE}/app", {"code": app_code(secret, frozen_clock)}, form_page=BASE)
    assert done.status_code == 200
    codes = recovery_codes_on(done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert SecondFactor.get_by_id(factor.id).confirmed_at is not None
    assert session_passed(member)  # the first code counts as giving the factor in this browser
    stored = {row.code_hash for row in RecoveryCode.select().where(RecoveryCode.user == member)}
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}  # hashes only
    assert AuditLog.select().where(AuditLog.action == "account.second_factor_added").count() == 1

    # Never shown again: the recovery page counts them, the overview says the app is on.
    later = client.get(f"{BASE}/recovery-codes").get_data(as_text=True)
    assert "10 recovery codes left" in later and not any(code in later for code in codes)
    assert "Remove the app" in client.get(BASE).get_data(as_text=True)


def test_a_member_chooses_codes_by_email(client, alpha, login_as, outbox, frozen_clock):
    member = login_as("member")
    page = client.get(f"{BASE}/email").get_data(as_text=True)
    assert "Send me a code" in page and 'name="code"' not in page

    sent = client.submit(f"{BASE}/email", {"send": "1"})
    assert sent.status_code == 302
    code = mailed_code(outbox)
    assert outbox.rows(kind="second_factor_code")[0].to_address == member.email
    assert code not in outbox.rows()[0].subject  # the board's outbox list shows subjects
    factor = SecondFactor.get(SecondFactor.user == member)
    assert factor.code_hash and code not in factor.code_hash and factor.confirmed_at is None

    # A second press within the minute sends nothing more.
    client.submit(f"{BASE}/email", {"send": "1"})
    assert len(outbox.rows(kind="second_factor_code")) == 1

    done = client.submit(f"{BASE}/email", {"code": code})
    assert done.status_code == 200 and len(recovery_codes_on(done.get_data(as_text=True))) == 10
    assert SecondFactor.get_by_id(factor.id).confirmed_at is not None
    assert "Stop codes by e-mail" in client.get(BASE).get_data(as_text=True)


def test_an_emailed_code_expires_after_ten_minutes(client, alpha, make_user, login, outbox, frozen_clock):
    user = make_user(alpha, "owner@alpha.example")
    factor = two_factor.email_being_set_up(user)
    SecondFactor.update(confirmed_at=frozen_clock.now.replace(tzinfo=None)).where(
        SecondFactor.id == factor.id
    ).execute()
    guard(alpha, "votes.cast_per_rollam")
    login(client, user.email)

    verify = client.get(f"{BASE}/verify").get_data(as_text=True)
    assert "Send me a code by e-mail" in verify
    client.submit(f"{BASE}/verify", {"send": "1"})
    late = mailed_code(outbox)
    frozen_clock.advance(dt.timedelta(minutes=10, seconds=1))
    refused = client.submit(f"{BASE}/verify", {"code": late})
    assert refused.status_code == 422 and not session_passed(user)

    client.submit(f"{BASE}/verify", {"send": "1"})
    fresh = mailed_code(outbox)
    assert fresh != late or len(outbox.rows(kind="second_factor_code")) == 2
    frozen_clock.advance(dt.timedelta(minutes=9))
    assert client.submit(f"{BASE}/verify", {"code": fresh}).status_code == 302
    assert session_passed(user)


# --- the step-up --------------------------------------------------------------------------------------


def test_a_guarded_permission_leads_to_setting_up_and_passes_after(client, alpha, login_as, frozen_clock):
    guard(alpha, "settings.manage")
    login_as("board")
    assert client.get("/alpha/").status_code == 200  # what is not guarded is not asked for

    refused = client.get(SETTINGS)
    assert refused.status_code == 302
    assert sent_to(refused.location) == (BASE, {"next": SETTINGS, "why": "settings.manage"})
    htmx = client.get(SETTINGS, headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == refused.location
    page = html.unescape(client.get(refused.location).get_data(as_text=True))
    assert "Alpha Housing asks for a second factor before this: Change the portal's name" in page

    # A form sent without the factor comes back to the page it was sent from.
    posted = client.submit(
        SETTINGS,
        {"name": "Taken over"},
        form_page="/alpha/",
        headers={"Referer": "http://localhost/alpha/admin/settings"},
    )
    assert posted.status_code == 302 and sent_to(posted.location)[1]["next"] == SETTINGS
    foreign = client.submit(
        SETTINGS, {"name": "Taken over"}, form_page="/alpha/", headers={"Referer": "https://evil.example/x"}
    )
    assert sent_to(foreign.location)[1]["next"] == "/alpha/"
    assert type(alpha).get_by_id(alpha.id).name == "Alpha Housing"

    secret = secret_on(client.get(f"{BASE}/app?next=/alpha/admin/settings").get_data(as_text=True))
    done = client.submit(
        f"{BASE}/app?next=/alpha/admin/settings", {"code": app_code(secret, frozen_clock)}, form_page=BASE
    )
    assert 'href="/alpha/admin/settings"' in done.get_data(as_text=True)  # "continue" goes back
    assert client.get(SETTINGS).status_code == 200


def test_another_browser_gives_the_factor_once_and_keeps_it_for_the_session(
    client, new_client, alpha, login_as, login, frozen_clock
):
    guard(alpha, "roles.manage")
    admin = login_as("administrator")
    factor = two_factor.enrol_totp(admin)

    phone = new_client()
    login(phone, admin.email)
    asked = phone.get("/alpha/admin/roles")
    assert asked.status_code == 302
    assert sent_to(asked.location) == (f"{BASE}/verify", {"next": "/alpha/admin/roles", "why": "roles.manage"})
    page = phone.get(asked.location).get_data(as_text=True)
    assert "the six-digit code your authenticator app shows now" in page.lower()
    assert "Send me a code by e-mail" not in page  # only for members who chose codes by e-mail

    back = phone.submit(asked.location, {"code": app_code(factor.secret, frozen_clock)})
    assert back.status_code == 302 and back.location == "/alpha/admin/roles"
    assert phone.get("/alpha/admin/roles").status_code == 200
    frozen_clock.advance(dt.timedelta(hours=3))
    assert phone.get("/alpha/admin/roles").status_code == 200  # a step-up lasts for the session
    assert client.get("/alpha/admin/roles").status_code == 302  # the first browser has not given it


def test_the_step_up_page_says_why_for_voting_per_rollam(client, alpha, login_as):
    guard(alpha, "votes.cast_per_rollam")
    login_as("member")
    page = client.get(f"{BASE}?why=votes.cast_per_rollam&next=/alpha/").get_data(as_text=True)
    assert "Voting per rollam needs a second factor in Alpha Housing." in page
    assert "Vote per rollam (in writing)" in page  # what the association guards that this member may do
    # A reason is given only for what the association really guards.
    assert "needs a second factor" not in client.get(f"{BASE}?why=votes.manage_per_rollam").get_data(as_text=True)


def test_step_up_needed_answers_none_or_a_redirect(app, alpha, make_user):
    """The contract the votes views call."""
    from flask import g
    from flask_login import login_user

    member = make_user(alpha, "member@alpha.example")
    guard(alpha, "votes.cast_per_rollam")
    with app.test_request_context("/alpha/votes/1"):
        g.association = alpha
        login_user(member)
        assert two_factor.step_up_needed("votes.cast", "/alpha/votes/1") is None  # not guarded
        asked = two_factor.step_up_needed("votes.cast_per_rollam", "/alpha/votes/1")
        assert asked.status_code == 302
        assert sent_to(asked.location) == (BASE, {"next": "/alpha/votes/1", "why": "votes.cast_per_rollam"})
        two_factor.enrol_totp(member)
        asked = two_factor.step_up_needed("votes.cast_per_rollam", "//evil.example/")
        assert sent_to(asked.location) == (f"{BASE}/verify", {"next": "/alpha/", "why": "votes.cast_per_rollam"})
        member.second_factor_at = dt.datetime(2026, 3, 2, 9, 0)
        assert two_factor.passed() and two_factor.step_up_needed("votes.cast_per_rollam", "/alpha/votes/1") is None


def test_the_step_up_helper_passes_the_verify_page(client, alpha, login_as):
    guard(alpha, "settings.manage")
    board = login_as("board")
    step_up(client, alpha, board)
    assert client.get(SETTINGS).status_code == 200


def test_changing_a_protected_account_needs_the_factor_first(client, alpha, login_as, frozen_clock):
    member = login_as("member")
    two_factor.enrol_totp(member)
    for path in (f"{BASE}/recovery-codes", f"{BASE}/email", f"{BASE}/totp/remove"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith(f"{BASE}/verify?next="), path
    switched = client.submit(f"{BASE}/at-login", {"ask": "y"}, form_page=BASE)
    assert switched.status_code == 302 and "/verify" in switched.location
    assert not User.get_by_id(member.id).second_factor_at_login


# --- recovery codes, throttling, replay ---------------------------------------------------------------


def test_recovery_codes_are_single_use_and_new_ones_replace_the_old(client, new_client, alpha, login_as, login):
    member = login_as("member")
    step_up(client, alpha, member)
    codes = recovery_codes_on(client.submit(f"{BASE}/recovery-codes", {}).get_data(as_text=True))
    assert len(codes) == 10

    lost_phone = new_client()
    login(lost_phone, member.email)
    assert lost_phone.submit(f"{BASE}/verify", {"code": codes[0].upper()}).status_code == 302
    assert session_passed(member)
    used = AuditLog.select().where(AuditLog.action == "account.recovery_code_used").get()
    assert used.actor_id == member.id and '"left": 9' in used.detail

    again = new_client()
    login(again, member.email)
    refused = again.submit(f"{BASE}/verify", {"code": codes[0]})
    assert refused.status_code == 422 and not session_passed(member)

    renewed = recovery_codes_on(client.submit(f"{BASE}/recovery-codes", {}).get_data(as_text=True))
    assert not set(renewed) & set(codes)
    assert again.submit(f"{BASE}/verify", {"code": codes[1]}).status_code == 422  # the old ones stopped
    assert again.submit(f"{BASE}/verify", {"code": renewed[0]}).status_code == 302


def test_code_guessing_is_throttled(client, alpha, make_user, login, frozen_clock):
    user = make_user(alpha, "owner@alpha.example")
    factor = two_factor.enrol_totp(user)
    login(client, user.email)
    for guess in range(10):
        response = client.submit(f"{BASE}/verify", {"code": f"{guess:06d}"})
        assert response.status_code == 422
    right = client.submit(f"{BASE}/verify", {"code": app_code(factor.secret, frozen_clock)})
    assert right.status_code == 429
    assert "Too many wrong codes for this account in the last hour" in right.get_data(as_text=True)
    assert not session_passed(user)
    assert SecondFactorAttempt.select().count() == 10  # a throttled code is not even checked

    frozen_clock.advance(dt.timedelta(hours=1, seconds=1))
    assert client.submit(f"{BASE}/verify", {"code": app_code(factor.secret, frozen_clock)}).status_code == 302


def test_a_code_from_the_app_is_accepted_once(client, new_client, alpha, make_user, login, frozen_clock):
    user = make_user(alpha, "owner@alpha.example")
    factor = two_factor.enrol_totp(user)
    code = app_code(factor.secret, frozen_clock)
    login(client, user.email)
    assert client.submit(f"{BASE}/verify", {"code": code}).status_code == 302

    watcher = new_client()  # someone who saw the code over the member's shoulder
    login(watcher, user.email)
    assert watcher.submit(f"{BASE}/verify", {"code": code}).status_code == 422
    # Nor the step before it (within the window, but older than the one used).
    assert watcher.submit(f"{BASE}/verify", {"code": app_code(factor.secret, frozen_clock, -1)}).status_code == 422
    frozen_clock.advance(dt.timedelta(seconds=30))
    assert watcher.submit(f"{BASE}/verify", {"code": app_code(factor.secret, frozen_clock)}).status_code == 302


def test_a_code_is_accepted_from_a_clock_one_step_off(client, alpha, make_user, login, frozen_clock):
    user = make_user(alpha, "owner@alpha.example")
    factor = two_factor.enrol_totp(user)
    login(client, user.email)
    assert client.submit(f"{BASE}/verify", {"code": app_code(factor.secret, frozen_clock, 2)}).status_code == 422
    assert client.submit(f"{BASE}/verify", {"code": app_code(factor.secret, frozen_clock, 1)}).status_code == 302


# --- at every login ------------------------------------------------------------------------------------


def test_members_who_chose_it_give_the_factor_at_login(client, new_client, alpha, login_as, frozen_clock):
    guard(alpha, "settings.manage")
    board = login_as("board")
    step_up(client, alpha, board)
    assert client.submit(f"{BASE}/at-login", {"ask": "y"}, form_page=BASE).status_code == 302
    assert User.get_by_id(board.id).second_factor_at_login
    sessions = UserSession.select().count()

    phone = new_client()
    held = phone.submit("/alpha/login", {"email": board.email, "password": PASSWORD, "next": SETTINGS})
    assert held.status_code == 302 and held.location == "/login/second-factor"
    assert UserSession.select().count() == sessions  # no session before the code
    assert "/login" in phone.get("/alpha/").location
    page = phone.get("/login/second-factor").get_data(as_text=True)
    assert "Your second factor" in page and "Alpha Housing" in page

    factor = SecondFactor.get(SecondFactor.user == board)
    frozen_clock.advance(dt.timedelta(seconds=30))
    done = phone.submit("/login/second-factor", {"code": current_code(factor)})
    assert done.status_code == 302 and done.location == SETTINGS
    assert session_passed(board)
    assert phone.get(SETTINGS).status_code == 200  # no second step-up in this session
    assert AuditLog.select().where(AuditLog.action == "account.login").order_by(AuditLog.id.desc()).get().detail


def test_the_login_waits_for_the_code_only_a_few_minutes(client, alpha, make_user, frozen_clock):
    user = make_user(alpha, "owner@alpha.example")
    two_factor.enrol_totp(user)
    User.update(second_factor_at_login=True).where(User.id == user.id).execute()
    client.submit("/alpha/login", {"email": user.email, "password": PASSWORD})
    frozen_clock.advance(dt.timedelta(minutes=6))
    late = client.get("/login/second-factor")
    assert late.status_code == 302 and late.location == "/login"


def test_members_who_did_not_choose_it_log_in_with_the_password_alone(client, alpha, make_user, login):
    user = make_user(alpha, "owner@alpha.example")
    two_factor.enrol_totp(user)
    response = login(client, user.email, slug="alpha")
    assert response.location == "/alpha/"


# --- removing a factor ---------------------------------------------------------------------------------


def test_removing_the_last_factor_needs_the_password_and_takes_the_recovery_codes(client, alpha, login_as):
    member = login_as("member")
    step_up(client, alpha, member)
    client.submit(f"{BASE}/recovery-codes", {})
    User.update(second_factor_at_login=True).where(User.id == member.id).execute()
    page = client.get(f"{BASE}/totp/remove").get_data(as_text=True)
    assert "It is your only second factor" in page

    wrong = client.submit(f"{BASE}/totp/remove", {"current": "not my password"})
    assert wrong.status_code == 422 and SecondFactor.select().count() == 1
    done = client.submit(f"{BASE}/totp/remove", {"current": PASSWORD})
    assert done.status_code == 302
    assert SecondFactor.select().count() == 0 and RecoveryCode.select().count() == 0
    assert not User.get_by_id(member.id).second_factor_at_login
    assert AuditLog.select().where(AuditLog.action == "account.second_factor_removed").count() == 1
    assert client.get(f"{BASE}/email/remove").status_code == 404


# --- the administrator's choice --------------------------------------------------------------------------


def test_the_board_chooses_what_asks_for_a_second_factor(client, alpha, login_as, settings_data):
    login_as("board")
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'name="second_factor_permissions" value="votes.cast_per_rollam"' in page
    assert "Vote per rollam (in writing)" in page
    saved = client.submit(
        SETTINGS, settings_data(second_factor_permissions=["votes.cast_per_rollam", "votes.manage_per_rollam"])
    )
    assert saved.status_code == 302
    alpha = type(alpha).get_by_id(alpha.id)
    assert alpha.second_factor_permissions == "votes.cast_per_rollam votes.manage_per_rollam"
    assert alpha.requires_second_factor("votes.cast_per_rollam") and not alpha.requires_second_factor("votes.cast")
    page = client.get(SETTINGS).get_data(as_text=True)
    assert re.search(r'value="votes.cast_per_rollam"\s+checked', page)

    refused = client.submit(SETTINGS, settings_data(second_factor_permissions=["faults.report"]))
    assert refused.status_code == 422


def test_a_password_reset_does_not_skip_the_second_step(client, alpha, make_user, outbox, frozen_clock):
    user = make_user(alpha, "owner@alpha.example")
    factor = two_factor.enrol_totp(user)
    User.update(second_factor_at_login=True).where(User.id == user.id).execute()
    client.submit("/forgot?portal=alpha", {"email": user.email})
    link = re.search(r"(/reset/\S+)", outbox.rows(kind="reset")[0].body_text).group(1)
    done = client.submit(link, {"password": "a-brand-new-password", "confirm": "a-brand-new-password"})
    assert done.status_code == 302 and done.location == "/login/second-factor"
    assert "/login" in client.get("/alpha/").location  # not signed in by the link alone
    signed_in = client.submit("/login/second-factor", {"code": current_code(factor)})
    assert signed_in.location == "/alpha/" and session_passed(user)


def test_changing_the_password_keeps_this_browsers_step_up(client, alpha, login_as, outbox):
    guard(alpha, "settings.manage")
    board = login_as("board")
    step_up(client, alpha, board)
    changed = client.submit(
        "/alpha/account/password",
        {"current": PASSWORD, "password": "a-brand-new-password", "confirm": "a-brand-new-password"},
        form_page="/alpha/account",
    )
    assert changed.status_code == 302
    assert client.get(SETTINGS).status_code == 200


def test_joining_another_association_does_not_skip_the_second_step(
    client, alpha, make_association, make_user, make_person, frozen_clock
):
    beta = make_association("beta")
    user = make_user(alpha, "manager@example.com", "board")
    factor = two_factor.enrol_totp(user)
    User.update(second_factor_at_login=True).where(User.id == user.id).execute()
    make_person(beta, email="manager@example.com", role="board")
    joined = client.submit(
        "/beta/signup", {"email": user.email, "password": PASSWORD, "confirm": PASSWORD, "accept": "y"}
    )
    assert joined.status_code == 302 and joined.location == "/login/second-factor"
    assert "/login" in client.get("/beta/").location
    signed_in = client.submit("/login/second-factor", {"code": current_code(factor)})
    assert signed_in.location == "/beta/" and client.get("/beta/").status_code == 200


def test_a_member_with_few_recovery_codes_left_is_told_to_make_new_ones(client, alpha, login_as, frozen_clock):
    member = login_as("member")
    two_factor.enrol_totp(member)  # an app, and no recovery codes yet (as the demo's owners have)
    page = client.get(BASE).get_data(as_text=True)
    assert "0 codes left." in page and "Few or no recovery codes are left" in page
    two_factor.new_recovery_codes(member, alpha)
    page = client.get(BASE).get_data(as_text=True)
    assert "10 codes left." in page and "Few or no recovery codes are left" not in page


def test_the_address_codes_are_mailed_to_changes_only_after_the_factor(client, alpha, login_as, frozen_clock, outbox):
    member = login_as("member")
    two_factor.enrol_totp(member)
    data = {"new_email": "elsewhere@example.org", "current": PASSWORD}
    response = client.submit("/alpha/account/email", data, form_page="/alpha/account")
    assert response.status_code == 302 and "/alpha/account/two-factor/verify" in response.location
    assert not outbox.rows(to_address="elsewhere@example.org")
    step_up(client, alpha, member)
    assert client.submit("/alpha/account/email", data, form_page="/alpha/account").status_code == 302
    assert outbox.rows(to_address="elsewhere@example.org")


def test_an_app_not_yet_confirmed_gets_a_new_key_each_time_its_page_is_shown(client, alpha, login_as, frozen_clock):
    login_as("member")
    first = secret_on(client.get(f"{BASE}/app").get_data(as_text=True))
    second = secret_on(client.get(f"{BASE}/app").get_data(as_text=True))
    assert first != second  # a key someone saw before never becomes the member's factor
