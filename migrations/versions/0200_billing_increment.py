"""accounts and invoices get the billing increment ("first/next" seconds)

The fill rounds each call's billed seconds up to the account's increment (at least `first`
seconds, then steps of `next`) and records on the invoice the increment it used; the PDF and the
statement pages say "Billed per 60/60 s". Existing accounts get 1/1, which bills the seconds as
the switch rated them: every figure stays what it was. Existing invoices keep NULL (filled before
the increment was stored; their statement says how durations were billed in general).

Revision ID: 0200
Revises: 0190
"""
import sqlalchemy as sa
from alembic import op

revision = "0200"
down_revision = "0190"
branch_labels = None
depends_on = None

_NAMES = ("billing_increment_first", "billing_increment_next")


def upgrade():
    # Plain ADD COLUMN (no batch mode): on SQLite a batch would recreate tables other tables refer to.
    for name in _NAMES:
        op.add_column("accounts", sa.Column(name, sa.Integer(), server_default="1", nullable=False))
    for name in _NAMES:
        op.add_column("invoices", sa.Column(name, sa.Integer(), nullable=True))


def downgrade():
    for name in reversed(_NAMES):
        op.drop_column("invoices", name)
    for name in reversed(_NAMES):
        op.drop_column("accounts", name)
