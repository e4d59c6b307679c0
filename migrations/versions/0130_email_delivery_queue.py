"""e-mail deliveries can be queued: statuses queued and sending, the request's options, tries, updated_at

A queued e-mail is recorded before a job sends it; the job marks it `sending` (committed) before
the message goes out, so a retry never sends it twice (portal/delivery/emailing.py).

Revision ID: 0130
Revises: 0110
"""
import sqlalchemy as sa
from alembic import op

revision = "0130"
down_revision = "0110"
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('sent', 'failed', 'outbox')"
NEW_STATUSES = "status IN ('queued', 'sending', 'sent', 'failed', 'outbox')"


def upgrade():
    with op.batch_alter_table("email_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("options", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("ck_email_deliveries_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_email_deliveries_status"), NEW_STATUSES)


def downgrade():
    # Requests that never finished are kept as failed ones: the old schema knows no other open state.
    op.execute("UPDATE email_deliveries SET status = 'failed', error = coalesce(error, 'not sent') "
               "WHERE status IN ('queued', 'sending')")
    with op.batch_alter_table("email_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_email_deliveries_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_email_deliveries_status"), OLD_STATUSES)
        batch_op.drop_column("updated_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("options")
