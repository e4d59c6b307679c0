"""bulk_approvals and bulk_approval_items: a bulk approval is recorded by the request and approved by a job

The request used to approve every selected invoice itself (500 took 19 s). It now records the
selection (which invoices, who asked, when) and answers at once; a queued job approves each
invoice in its own transaction and records its outcome on the item, in that same transaction,
so a job that dies is resumed without approving anything twice. A selection still unfinished
is recorded once per person (partial unique index), so a double click finds the first.

Revision ID: 0201
Revises: 0200
"""
import sqlalchemy as sa
from alembic import op

revision = "0201"
down_revision = "0200"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bulk_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("selection_key", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done')", name=op.f("ck_bulk_approvals_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_approvals")),
    )
    op.create_index(
        "uq_bulk_approvals_unfinished_selection",
        "bulk_approvals",
        ["selection_key"],
        unique=True,
        sqlite_where=sa.text("finished_at IS NULL"),
        postgresql_where=sa.text("finished_at IS NULL"),
    )
    op.create_table(
        "bulk_approval_items",
        sa.Column("bulk_approval_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("invoice_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('approved', 'skipped', 'failed')", name=op.f("ck_bulk_approval_items_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["bulk_approval_id"],
            ["bulk_approvals.id"],
            name=op.f("fk_bulk_approval_items_bulk_approval_id_bulk_approvals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("bulk_approval_id", "invoice_id", name=op.f("pk_bulk_approval_items")),
    )


def downgrade():
    op.drop_table("bulk_approval_items")
    op.drop_index("uq_bulk_approvals_unfinished_selection", table_name="bulk_approvals")
    op.drop_table("bulk_approvals")
