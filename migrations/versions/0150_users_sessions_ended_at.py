"""admin and customer users get sessions_ended_at: JSON:API tokens issued before it are refused

Stamped whenever a user's sessions are ended (sign-out, password change or reset, "sign out
everywhere", disabling the user or its customer); NULL until then. Plain ADD/DROP COLUMN, as
in 0140, so SQLite never recreates customer_users (see there).

Revision ID: 0150
Revises: 0140
"""
import sqlalchemy as sa
from alembic import op

revision = "0150"
down_revision = "0140"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("admin_users", "customer_users"):
        op.add_column(table, sa.Column("sessions_ended_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    for table in ("admin_users", "customer_users"):
        op.drop_column(table, "sessions_ended_at")
