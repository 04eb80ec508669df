"""create_app(config): extensions, blueprints, CLI, error pages."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib
import pkgutil
from pathlib import Path

import peewee as pw
from flask import (
    Flask,
    abort,
    g,
    has_app_context,
    has_request_context,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import Babel, get_locale, refresh
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from blueprints import DOMAINS
from cli import register_commands
from config import Config
from core import access, clock, nav, orders, text
from core.forms import LANGUAGE_NAMES
from core.rendering import cached_row, htmx, id_urls, page_url, render, url_with_id
from core.security import PorchSessionInterface, csp_nonce, refuse_nul_bytes, set_security_headers
from core.text import LANGUAGE_COOKIE, locale_for
from models import UserSession
from models.db import db, make_database

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()

STATIC_DIR = Path(__file__).resolve().parent / "static"


class RowIdConverter(IntegerConverter):
    """<int:…> in URLs: an id beyond what a database column holds is a 404, not an overflow (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: type | None = None) -> Flask:
    config = config or Config
    app = Flask(__name__, static_folder=None, instance_path=str(config.INSTANCE_DIR))
    app.url_map.converters["int"] = RowIdConverter
    app.config.from_object(config)
    app.config["SECRET_KEY"] = config.ensure_secret_key()
    app.session_interface = PorchSessionInterface()
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _init_database(app)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    _init_login(app)
    _init_assets(app)
    text.register(app)

    _init_blueprints(app)

    _init_templates(app)
    _init_errors(app)
    app.after_request(set_security_headers)

    register_commands(app)
    return app


def _init_blueprints(app: Flask) -> None:
    """Each domain's Blueprint with the routes of its views.py and *_views.py modules (blueprints/__init__.py)."""
    for domain in DOMAINS:
        package = importlib.import_module(f"blueprints.{domain}")
        for module in pkgutil.iter_modules(package.__path__):
            if module.name == "views" or module.name.endswith("_views"):
                importlib.import_module(f"blueprints.{domain}.{module.name}")
        if hasattr(package, "site"):
            app.register_blueprint(package.site)
        app.register_blueprint(package.bp)


def _init_database(app: Flask) -> None:
    if db.obj is None or getattr(db.obj, "porch_url", None) != app.config["DATABASE_URL"]:
        database = make_database(app.config["DATABASE_URL"])
        database.porch_url = app.config["DATABASE_URL"]
        db.initialize(database)

    if app.config["COUNT_QUERIES"]:
        db.obj.counter = _count_query

    @app.before_request
    def _connect():
        refuse_nul_bytes()
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        # SQLite keeps one connection per thread (opening one and setting its
        # pragmas costs more than a page's queries); PostgreSQL's go back to the pool.
        if not isinstance(db.obj, pw.SqliteDatabase) and not db.is_closed():
            db.close()

    if app.config["COUNT_QUERIES"]:

        @app.after_request
        def _report(response):
            response.headers["X-Query-Count"] = str(g.get("query_count", 0))
            return response


def _count_query() -> None:
    if has_app_context():
        g.query_count = g.get("query_count", 0) + 1


def select_locale() -> str:
    """The language of this request's pages (see _chosen_language)."""
    return locale_for(_chosen_language() if has_request_context() else "en")


def _chosen_language() -> str:
    """A signed-in user's own choice; else the language switch's; else, before signing in, the browser's
    among those Porch speaks (a Czech visitor to a Swedish portal's login page reads Czech); else the
    association's; else the browser's; else English."""
    languages = Config.LANGUAGES
    signed_in = bool(current_user) and current_user.is_authenticated
    if signed_in and current_user.ui_language in languages:
        return current_user.ui_language
    switched = request.cookies.get(LANGUAGE_COOKIE)
    if switched in languages:
        return switched
    browser = request.accept_languages.best_match(languages)
    if browser and not signed_in:
        return browser
    association = g.get("association")
    if association is not None and association.locale in languages:
        return association.locale
    return browser or "en"


def html_lang() -> str:
    """The BCP 47 tag for <html lang>: en-GB, sv, cs."""
    return str(get_locale()).replace("_", "-")


def language_switch() -> list[tuple[str, str, str, bool]]:
    """(code, name in its own language, address that switches to it and comes back here, is current)."""
    here = request.path + (f"?{request.query_string.decode('latin-1')}" if request.query_string else "")
    current = str(get_locale()).split("_")[0]
    return [
        (code, LANGUAGE_NAMES[code], url_for("site.switch_language", language=code, next=here), code == current)
        for code in Config.LANGUAGES
    ]


def select_timezone() -> str:
    association = g.get("association")
    return association.timezone if association is not None else "UTC"


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    # Our own UserSession rows end sessions; Flask-Login's IP heuristics would
    # only log phones out when they change networks.
    login_manager.session_protection = None

    @login_manager.user_loader
    def load_user(session_key: str):
        found = UserSession.lookup(session_key)
        if found is None or not found[0].user.is_active:
            return None
        row, memberships = found
        user = row.user
        user.session_key = session_key
        g.memberships = memberships  # loaded with the session, in the same query
        _touch(row)
        return user


def _touch(row: UserSession) -> None:
    # A write per request would cost more than it tells; five minutes is precise enough.
    now = clock.utcnow_naive()
    if now - row.last_seen_at > dt.timedelta(minutes=5):
        UserSession.update(last_seen_at=now).where(UserSession.id == row.id).execute()
        # The cookie is re-signed only now and then (SESSION_REFRESH_EACH_REQUEST is
        # off): this keeps an active user's cookie from expiring.
        session.modified = True


def _init_assets(app: Flask) -> None:
    """Static files carry a content hash in their name and are cached for a year."""
    hashed, real = _hashed_static_names()

    def asset(filename: str) -> str:
        return f"/static/{hashed[filename]}"

    @app.route("/static/<path:filename>")
    def static(filename: str):
        """Serve a static file by its hashed name (immutable) or its plain name (short cache)."""
        if filename in real:
            response = send_from_directory(STATIC_DIR, real[filename], max_age=31536000)
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            return response
        if filename in hashed:
            return send_from_directory(STATIC_DIR, filename, max_age=300)
        abort(404)

    app.jinja_env.globals["asset"] = asset


@functools.cache
def _hashed_static_names() -> tuple[dict[str, str], dict[str, str]]:
    """({"css/porch.css": "css/porch.<hash>.css"}, and the reverse), computed once per process."""
    hashed: dict[str, str] = {}
    real: dict[str, str] = {}
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            relative = path.relative_to(STATIC_DIR).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            stem, dot, suffix = relative.rpartition(".")
            name = f"{stem}.{digest}.{suffix}" if dot else f"{relative}.{digest}"
            hashed[relative] = name
            real[name] = relative
    return hashed, real


def _init_templates(app: Flask) -> None:
    app.jinja_env.globals.update(
        csp_nonce=csp_nonce,
        can=access.can,
        html_lang=html_lang,
        language_switch=language_switch,
        field_attrs=field_attrs,
        nav=nav,
        pdf_order_status=orders.status,
        page_url=page_url,
        id_urls=id_urls,
        cached_row=cached_row,
        url_with_id=url_with_id,
        file_size=text.file_size,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def portal_context():
        return {
            "association": g.get("association"),
            "membership": g.get("membership"),
            "memberships": access.current_memberships,
        }


def field_attrs(field, hint: str | None = None) -> dict:
    """ARIA attributes tying an input to its hint and errors."""
    attrs = {}
    described = [f"{field.id}-err"] if field.errors else []
    if hint:
        described.append(f"{field.id}-hint")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


def _init_errors(app: Flask) -> None:
    messages = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "not_allowed",
        410: "gone",
        413: "too_large",
        500: "server_error",
    }
    for code, kind in messages.items():
        app.register_error_handler(code, _error_handler(code, kind))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render("errors/error.html", code=400, kind="csrf", status=400)


def _error_handler(code: int, kind: str):
    def handler(error):
        if code in (404, 405):  # an address under /<slug>/ that no view answered
            access.enter_association_of_path()
            refresh()  # the page's language may have been chosen before the association was known
        return render("errors/error.html", code=code, kind=kind, status=code)

    return handler
