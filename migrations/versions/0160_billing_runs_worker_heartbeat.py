"""billing_runs get worker and heartbeat_at: who executes a run and when it last made progress

A run whose process was killed used to stay `running` forever. The executing process now
claims the run (worker = "host:pid:token") and stamps heartbeat_at with every step, so a
`running` run whose process is gone, or that has been silent for too long, is found and
marked failed (portal/billing/runs.py). Existing rows keep NULL (a `running` one is stale).

Revision ID: 0160
Revises: 0150
"""
import sqlalchemy as sa
from alembic import op

revision = "0160"
down_revision = "0150"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("billing_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("billing_runs", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("worker")
