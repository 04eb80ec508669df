"""Which association a request is in, who the user is there, and @requires.

Every /<slug>/ view runs with g.association set and g.membership holding the
current user's valid membership there (or None). Loading an association's
data goes through these, never by bare id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, abort, g, redirect, request, url_for
from flask_login import current_user

from core.rendering import hx_redirect
from models import Association, Membership, SlugAlias


def user_memberships() -> list[Membership]:
    """The signed-in user's memberships (the user loader fetches them with the session)."""
    if "memberships" not in g:
        signed_in = current_user.is_authenticated  # loading the user fills g.memberships
        if "memberships" not in g:
            g.memberships = Membership.for_user(current_user) if signed_in else []
    return g.memberships


def current_memberships() -> list[Membership]:
    """Memberships valid today in their association's time zone (seed 002 access periods)."""
    return [m for m in user_memberships() if m.is_current(m.association.today())]


def enter_association(slug: str) -> None:
    """Set g.association and g.membership for a /<slug>/ request (404 if unknown)."""
    membership = next((m for m in user_memberships() if m.association.slug == slug), None)
    if membership is not None:
        g.association = membership.association
    else:
        g.association = Association.get_or_none(Association.slug == slug)
        if g.association is None:
            _follow_old_address(slug)
    valid = membership is not None and membership.is_current(g.association.today())
    g.membership = membership if valid else None
    g.lapsed_membership = membership if not valid else None


def enter_association_of_path() -> None:
    """For an error under /<slug>/ that no view answered (an unknown page): the portal's language, colours
    and menu, as its own pages have them. No redirect and no 404 here: the error is already being shown."""
    if g.get("association") is not None:
        return
    slug = request.path.lstrip("/").split("/", 1)[0]
    membership = next((m for m in user_memberships() if m.association.slug == slug), None)
    association = membership.association if membership else Association.get_or_none(Association.slug == slug)
    if association is None:
        return
    g.association = association
    g.membership = membership if membership is not None and membership.is_current(association.today()) else None


def _follow_old_address(slug: str) -> None:
    """Redirect /<old-slug>/anything to the same path under the association's new slug, else 404.

    301 for GET and HEAD; 308 for other methods, so a form posted to a page
    open since before the change is posted again, body and all.
    """
    alias = SlugAlias.select(SlugAlias, Association).join(Association).where(SlugAlias.slug == slug).first()
    if alias is None:
        abort(404)
    rest = request.path[len(slug) + 1 :]
    target = request.script_root + "/" + alias.association.slug + quote(rest, safe="/")
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    abort(redirect(target, 301 if request.method in ("GET", "HEAD") else 308))


def association_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /<slug>/ whose views run with g.association and g.membership set."""
    blueprint = Blueprint(name, import_name, url_prefix="/<slug>")

    @blueprint.url_value_preprocessor
    def _enter(endpoint, values):
        enter_association(values.pop("slug"))

    @blueprint.url_defaults
    def _slug(endpoint, values):
        # Runs for every url_for (fifty rows of a list each have theirs): one look at g, not two.
        if "slug" not in values:
            association = g.get("association")
            if association is not None:
                values["slug"] = association.slug

    return blueprint


def permissions() -> frozenset[str]:
    membership = g.get("membership")
    return membership.role.permission_set if membership is not None else frozenset()


def can(permission: str) -> bool:
    return permission in permissions()


# The second factor's step-up (P6): the portal's two_factor module registers how a member is asked for it
# (core knows no domain). It takes (permission, where to come back to) and answers None or a redirect.
StepUp = Callable[[str, str], "Response | None"]
_step_up: StepUp | None = None


def on_step_up(answer: StepUp) -> None:
    """Register the answer to a view whose permission the association guards with a second factor."""
    global _step_up
    _step_up = answer


def _guarded(used: tuple[str, ...]) -> str | None:
    """The first of the permissions a view uses that the association asks a second factor for.
    A string split: this runs on every page, and almost always finds nothing."""
    guarded = g.association.second_factor_permissions
    if not guarded:
        return None
    guarded = guarded.split()
    return next((p for p in used if p in guarded), None)


def _come_back_to() -> str:
    """Where the member returns after the second factor: this page for a GET; for a form, the page it was
    sent from (a POST cannot be repeated by a redirect), else the association's home."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("portal.home", slug=g.association.slug)


def _second_factor_answer(used: tuple[str, ...]) -> Response | None:
    permission = _guarded(used)
    if permission is None:
        return None
    if _step_up is None:  # nobody registered how to ask: refuse rather than let it through
        abort(403)
    return _step_up(permission, _come_back_to())


def requires(*needed: str):
    """Require a signed-in member of the current association holding every permission named.

    Anonymous users are sent to the portal's login page; members without the
    permission, and users of other associations, get 403. When the association
    asks a second factor for one of the permissions and this browser has not
    given it, the member is led to give it (or set one up) and brought back.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                target = url_for("portal.login", slug=g.association.slug, next=request.full_path)
                return hx_redirect(target)
            if g.get("membership") is None:
                abort(403)
            if not all(can(p) for p in needed):
                abort(403)
            stepping_up = _second_factor_answer(needed) if needed else None
            if stepping_up is not None:
                return stepping_up
            return view(*args, **kwargs)

        wrapped.required_permissions = needed
        return wrapped

    return decorator


def requires_any(*options: str):
    """Require a signed-in member of the current association holding at least one of the permissions named.

    A second factor is asked only when every option the member holds needs one: a member who may come in
    by a permission the association does not guard is not stopped by one it does."""

    def decorator(view):
        @requires()
        @wraps(view)
        def wrapped(*args, **kwargs):
            held = tuple(p for p in options if can(p))
            if not held:
                abort(403)
            if all(_guarded((p,)) for p in held):
                stepping_up = _second_factor_answer(held)
                if stepping_up is not None:
                    return stepping_up
            return view(*args, **kwargs)

        wrapped.required_permissions = options
        return wrapped

    return decorator


@dataclass(frozen=True)
class Tab:
    """One of the association's optional tabs (Portal settings, P8). Switched off, its pages answer 404,
    except to the members who keep what is behind it (`keeper`: the board keeps the register and the
    invoices, and its own pages open rows there).

    Use an instance as a decorator on each of the tab's views: @UNITS_TAB.
    """

    name: str
    keeper: str | None = None

    def is_open(self) -> bool:
        return g.association.shows(self.name) or (self.keeper is not None and can(self.keeper))

    def __call__(self, view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not self.is_open():
                abort(404)
            return view(*args, **kwargs)

        return wrapped
