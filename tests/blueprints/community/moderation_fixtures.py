"""Fixtures of the moderation tests: alpha's people, a topic with a post, and browsers signed in as each.

Imported by name into the test modules that use them (the package's conftest.py is the discussions':
its `categories` serves these tests too)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from models import User
from models.community import Post, Thread
from tests.factories.community import make_post, make_topic


@dataclass
class People:
    board: User
    author: User
    reader: User
    tenant: User


@pytest.fixture
def people(alpha, make_user) -> People:
    return People(
        board=make_user(alpha, "board@alpha.example", "board"),
        author=make_user(alpha, "author@alpha.example", "member"),
        reader=make_user(alpha, "reader@alpha.example", "member"),
        tenant=make_user(alpha, "tenant@alpha.example", "tenant"),
    )


@pytest.fixture
def topic(alpha, people) -> Thread:
    return make_topic(alpha, "Bicycle room", author=people.author)


@pytest.fixture
def post(topic, people) -> Post:
    return make_post(topic, people.author, "The bicycle room is a mess.")


@pytest.fixture
def as_user(new_client, login):
    """A browser signed in as `user`."""

    def sign_in(user: User):
        client = new_client()
        login(client, user.email)
        return client

    return sign_in


def reload(row):
    return type(row).get_by_id(row.id)
