"""Settings, all read from environment variables (see docs/configuration.md "Configuration")."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("PORTAL_INSTANCE_PATH", ROOT / "instance"))


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _bool(name: str, default: bool = False) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def _float(name: str, default: float) -> float:
    value = _env(name)
    return float(value) if value is not None else default


def _list(name: str) -> list[str]:
    value = _env(name, "") or ""
    return [item.strip() for item in value.split(",") if item.strip()]


# Development only; production refuses to start with it.
DEV_SECRET_KEY = "dev-secret-change-me"  # nosec B105


class Config:
    ENV_NAME = "development"
    SECRET_KEY = _env("PORTAL_SECRET_KEY", DEV_SECRET_KEY)
    # Older signing keys still accepted (key rotation); newest first.
    SECRET_KEY_FALLBACKS = _list("PORTAL_SECRET_KEY_FALLBACKS")
    SQLALCHEMY_DATABASE_URI = _env("PORTAL_DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Exact API list counts and page anchors kept per version of the tables (portal/reading/exact_count.py); 0: off.
    COUNT_CACHE_SIZE = _int("PORTAL_COUNT_CACHE_SIZE", 1000)

    # Job queue: empty means jobs run inline in the calling process.
    QUEUE_URL = _env("PORTAL_QUEUE_URL")
    # The Redis queue's name (its keys are `huey.*.<name>`): workers and web processes must agree on it.
    QUEUE_NAME = _env("PORTAL_QUEUE_NAME", "portal")
    # PDF and e-mail jobs on a queue: retries after the first try, the first retry's delay (s), its growth factor.
    JOB_RETRIES = _int("PORTAL_JOB_RETRIES", 3)
    JOB_RETRY_DELAY = _float("PORTAL_JOB_RETRY_DELAY", 10.0)
    JOB_RETRY_BACKOFF = _float("PORTAL_JOB_RETRY_BACKOFF", 2.0)

    # Invoicing
    INVOICE_NUMBER_FORMAT = _env("PORTAL_INVOICE_NUMBER_FORMAT", "INV-{year}-{seq:06d}")
    CREDIT_NOTE_NUMBER_FORMAT = _env("PORTAL_CREDIT_NOTE_NUMBER_FORMAT", "CN-{year}-{seq:06d}")
    INVOICE_AUTO_APPROVE = _bool("PORTAL_INVOICE_AUTO_APPROVE", False)
    DEFAULT_MAX_CALL_DURATION = _int("PORTAL_DEFAULT_MAX_CALL_DURATION", 7200)
    # A running billing run silent this long (no step finished) is stale: marked failed by the next run.
    BILLING_RUN_STALE_MINUTES = _int("PORTAL_BILLING_RUN_STALE_MINUTES", 15)
    XERO_ENABLED = _bool("PORTAL_XERO_ENABLED", False)

    # Mail: no host means mail is written to the outbox folder under instance/.
    MAIL_HOST = _env("PORTAL_MAIL_HOST")
    MAIL_PORT = _int("PORTAL_MAIL_PORT", 25)
    MAIL_SECURITY = _env("PORTAL_MAIL_SECURITY", "none")  # none | starttls | tls
    MAIL_USERNAME = _env("PORTAL_MAIL_USERNAME")
    MAIL_PASSWORD = _env("PORTAL_MAIL_PASSWORD")
    MAIL_FROM = _env("PORTAL_MAIL_FROM", "billing@telco.example")
    # The sender's display name ("Billing <billing@telco.example>"); empty: the bare address.
    MAIL_FROM_NAME = _env("PORTAL_MAIL_FROM_NAME", "Billing")
    MAIL_TIMEOUT = _int("PORTAL_MAIL_TIMEOUT", 20)
    # A CA bundle to trust for STARTTLS/TLS (a private mail relay); empty: the system's CAs.
    MAIL_CA_FILE = _env("PORTAL_MAIL_CA_FILE")
    OUTBOX_DIR = _env("PORTAL_OUTBOX_DIR", str(INSTANCE / "outbox"))

    # Public base URL used in e-mails and download links when there is no request.
    BASE_URL = _env("PORTAL_BASE_URL", "http://127.0.0.1:5000")

    # API tokens
    JWT_LIFETIME_SECONDS = _int("PORTAL_JWT_LIFETIME", 600)
    # JSON:API tokens each process remembers as verified until they expire (portal/api/jsonapi/auth.py); 0: off.
    JWT_CACHE_SIZE = _int("PORTAL_JWT_CACHE_SIZE", 10000)
    CUSTOMER_JWT_SECRET = _env("PORTAL_CUSTOMER_JWT_SECRET")
    # Absolute lifetime of a customer JSON:API session cookie, from its sign-in (renewing never extends it).
    CUSTOMER_SESSION_HOURS = float(_env("PORTAL_CUSTOMER_SESSION_HOURS", "8"))

    # Download links minted by a customer's click on "Download PDF".
    PORTAL_DOWNLOAD_LINK_MINUTES = _int("PORTAL_DOWNLOAD_LINK_MINUTES", 10)

    # htmx from a CDN, pinned, loaded with Subresource Integrity.
    HTMX_VERSION = "2.0.4"
    HTMX_URL = "https://unpkg.com/htmx.org@2.0.4/dist/htmx.min.js"
    HTMX_SRI = "sha384-HGfztofotfshcF7+8n44JQL2oJmowVChPTg48S+jvZoztPfvwD79OC/LTtG6dMp+"

    # Message catalogs (Flask-Babel): translations/<language>/LC_MESSAGES/messages.po and its compiled .mo.
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")

    # Rate limits
    RATELIMIT_STORAGE_URI = _env("PORTAL_RATELIMIT_STORAGE_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = _int("PORTAL_REMEMBER_DAYS", 14) * 86400
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = _int("PORTAL_MAX_UPLOAD_MB", 20) * 1024 * 1024


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    # The test configuration's key, never used in production.
    SECRET_KEY = "test-secret"  # nosec B105
    SECRET_KEY_FALLBACKS: list[str] = []
    SQLALCHEMY_DATABASE_URI = _env("PORTAL_TEST_DATABASE_URL", "sqlite://")
    QUEUE_URL = None
    MAIL_HOST = None
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    BASE_URL = "http://localhost"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = _env("PORTAL_SECRET_KEY")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


def config_for(name: str | None) -> type[Config]:
    name = name or _env("PORTAL_ENV", "development")
    return {"production": ProductionConfig, "test": TestConfig}.get(name, Config)
