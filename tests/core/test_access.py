"""Memberships grant access only inside their dates, in the association's time zone (P5, seed 002)."""

import datetime as dt

from models import Membership


def test_access_ends_the_day_after_valid_to(client, alpha, make_user, login, frozen_clock):
    # 2026-03-02 09:00 UTC is 10:00 in Stockholm.
    make_user(alpha, "tenant@example.com", "tenant", valid_to=dt.date(2026, 3, 2))
    login(client, "tenant@example.com")
    assert client.get("/alpha/").status_code == 200

    # 23:30 Stockholm time on the last day: still in.
    frozen_clock.set(dt.datetime(2026, 3, 2, 22, 30))
    assert client.get("/alpha/").status_code == 200

    # 00:30 Stockholm time the next day (still the 2nd in UTC): out.
    frozen_clock.set(dt.datetime(2026, 3, 2, 23, 30))
    response = client.get("/alpha/")
    assert response.status_code == 403
    assert "You do not have access" in response.get_data(as_text=True)
    index = client.get("/").get_data(as_text=True)
    assert "Access that has ended" in index


def test_access_starts_on_valid_from(client, alpha, make_user, login, frozen_clock):
    make_user(alpha, "newcomer@example.com", "member", valid_from=dt.date(2026, 3, 5))
    login(client, "newcomer@example.com")
    assert client.get("/alpha/").status_code == 403
    frozen_clock.set(dt.datetime(2026, 3, 5, 6, 0))
    assert client.get("/alpha/").status_code == 200


def test_one_user_in_two_associations_switches_between_them(client, alpha, make_association, make_user, login):
    beta = make_association("beta")
    make_user(alpha, "manager@example.com", "board")
    make_user(beta, "manager@example.com", "member")
    login(client, "manager@example.com")
    index = client.get("/")
    assert index.status_code == 200
    body = index.get_data(as_text=True)
    assert 'href="/alpha/"' in body and 'href="/beta/"' in body
    # The role is per association: board in alpha, member in beta.
    assert client.get("/alpha/admin/mail").status_code == 200
    assert client.get("/beta/admin/mail").status_code == 403
    assert "Switch association" in client.get("/beta/menu").get_data(as_text=True)


def test_single_membership_goes_straight_home(client, alpha, make_user, login):
    make_user(alpha, "owner@example.com")
    login(client, "owner@example.com")
    assert client.get("/").location.endswith("/alpha/")


def test_install_with_one_association_sends_visitors_there(client, alpha):
    response = client.get("/")
    assert response.location.endswith("/alpha/")
    assert "/alpha/login" in client.get("/alpha/").location


def test_anonymous_with_several_associations_goes_to_login(client, alpha, make_association):
    make_association("beta")
    assert client.get("/").location.endswith("/login")


def test_memberships_are_loaded_in_one_query(app, alpha, make_association, make_user):
    from playhouse.test_utils import count_queries

    for slug in ("beta", "gamma", "delta"):
        make_user(make_association(slug), "manager@example.com", "board")
    user = make_user(alpha, "manager@example.com", "board")
    with count_queries() as counter:
        memberships = Membership.for_user(user)
        names = [(m.association.name, m.role.key) for m in memberships]
    assert len(names) == 4
    assert counter.count == 1
