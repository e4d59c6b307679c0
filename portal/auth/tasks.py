"""Background job sending password-reset mail, so the time `/password/forgot` takes never depends on the e-mail."""
from __future__ import annotations

from portal.extensions import db
from portal.jobs import huey, job_app


@huey.task(retries=2, retry_delay=30)
def send_password_reset_job(kind: str, user_id: int) -> str:
    """Mail a fresh reset link to the user (if still there and enabled)."""
    from portal.auth.service import send_password_reset

    with job_app().app_context():
        sent = send_password_reset(kind, user_id)
        db.session.commit()
        return "sent" if sent else "skipped"
