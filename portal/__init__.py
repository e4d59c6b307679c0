"""Invoice portal for telecom operators: the application factory."""

from __future__ import annotations

import os
import time
import uuid

import flask_babel
from flask import Flask, g, request

from portal import models  # noqa: F401 - registers the tables
from portal.auth.sessions import configure_login
from portal.blueprints import BLUEPRINTS
from portal.cli import register_commands
from portal.config import DEV_SECRET_KEY, INSTANCE, ROOT, config_for
from portal.documents.labels import statement_label
from portal.error_handlers import register_error_handlers
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
from portal.foundations import formatting
from portal.foundations.database import configure_engine_events
from portal.foundations.i18n import LANGUAGES, current_locale, select_locale
from portal.jobs import configure_jobs
from portal.security import register_security_headers


def create_app(config=None) -> Flask:
    """Build the app. `config` is a config class, a name ("test", "production") or a dict of overrides."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(INSTANCE),
    )
    overrides = {}
    if isinstance(config, dict):
        overrides = config
        config = overrides.pop("ENV_NAME", None)
    app.config.from_object(config if isinstance(config, type) else config_for(config))
    app.config.update(overrides)
    _check_config(app)
    os.makedirs(app.instance_path, exist_ok=True)

    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errors(app)
    register_cli(app)
    return app


def _check_config(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production" and app.config.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY):
        raise RuntimeError("PORTAL_SECRET_KEY must be set in production")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        # Use psycopg 3, the driver this project installs.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://") :]
    if uri.startswith("sqlite"):
        opts = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        opts.setdefault("connect_args", {"timeout": 15})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = opts


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    with app.app_context():
        configure_engine_events(db.engine)
    configure_jobs(app)

    configure_login(app, login_manager)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-Id") or str(uuid.uuid4())
        # The locale is chosen once per request (Flask-Babel keeps it in `g`); a request inside an
        # application context that outlives it (tests, CLI) must not inherit the previous request's.
        flask_babel.refresh()

    @app.after_request
    def _common_headers(response):
        started = g.get("request_started")
        if started is not None:
            response.headers["X-Runtime"] = f"{time.perf_counter() - started:.6f}"
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response

    register_security_headers(app)


def register_blueprints(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _helpers():
        # Lets shared templates link to pages only when the blueprint serving them is registered.
        return {"has_endpoint": lambda name: name in app.view_functions}

    # The locale of the request (or of the document being rendered): `<html lang>`, the PDF's language.
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["languages"] = LANGUAGES
    app.jinja_env.globals["statement_label"] = statement_label
    app.jinja_env.filters.update(
        money=formatting.money,
        number=formatting.number,
        percent=formatting.percent,
        date=formatting.date,
        local_datetime=formatting.local_datetime,
        local_date=formatting.local_date_text,
        period_end_date=formatting.period_end_date,
        duration=formatting.duration,
        minutes=formatting.minutes,
    )


def register_errors(app: Flask) -> None:
    register_error_handlers(app)


def register_cli(app: Flask) -> None:
    register_commands(app)
