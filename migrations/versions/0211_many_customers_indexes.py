"""customers get an index (name, id) and invoices a partial index of the undelivered ones (invoice_date, id)

Without them the admin pages grew with the number of customers (bench/customers.py, 1,000 against
20,000): every page of the customer list sorted the whole customers table to show 50 of them, and the
dashboard's "to send" queue joined every undelivered invoice to its account and customer before
keeping the oldest ten.

Revision ID: 0211
Revises: 0201
"""
import sqlalchemy as sa
from alembic import op

revision = "0211"
down_revision = "0201"
branch_labels = None
depends_on = None

NOT_DELIVERED = (
    "state = 'Approved' AND emailed_at IS NULL AND downloaded_at IS NULL AND printed_at IS NULL"
    " AND marked_delivered_at IS NULL"
)


def upgrade():
    op.create_index("ix_customers_name_id", "customers", ["name", "id"])
    op.create_index(
        "ix_invoices_not_delivered",
        "invoices",
        ["invoice_date", "id"],
        postgresql_where=sa.text(NOT_DELIVERED),
        sqlite_where=sa.text(NOT_DELIVERED),
    )


def downgrade():
    op.drop_index("ix_invoices_not_delivered", table_name="invoices")
    op.drop_index("ix_customers_name_id", table_name="customers")
