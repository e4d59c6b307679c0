"""invoices get updated_at, stamped on every change, so API clients and caches can tell a changed invoice

Set by SQLAlchemy on every INSERT and UPDATE of an invoice (the column's default and onupdate);
existing invoices start from their created_at. The JSON:API keys its cache of invoice resource
objects on it (portal/api/jsonapi/object_cache.py).

Revision ID: 0110
Revises: 0100
"""
import sqlalchemy as sa
from alembic import op

revision = "0110"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE invoices SET updated_at = created_at")


def downgrade():
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
