"""invoices get a partial index of the owing ones (customer_id, account_id): approved with a balance due

Without it the customer dashboard's outstanding and overdue sums read every invoice of the customer to
keep the few it still owes (bench/pages.py: 179 ms for 120 owing among 50,000 invoices at 500,000, 15 ms
at 100,000); with it they read only the owing ones.

Revision ID: 0240
Revises: 0230
"""
import sqlalchemy as sa
from alembic import op

revision = "0240"
down_revision = "0230"
branch_labels = None
depends_on = None

INDEX = "ix_invoices_owing"
OWING = "state = 'Approved' AND outstanding > 0"


def upgrade():
    owing = sa.text(OWING)
    op.create_index(INDEX, "invoices", ["customer_id", "account_id"], postgresql_where=owing, sqlite_where=owing)


def downgrade():
    op.drop_index(INDEX, table_name="invoices")
