"""customer users get limited_to_accounts: an explicit account limit that fails closed

A customer user with rows in customer_user_accounts today is limited; the flag keeps it limited
when those accounts are deleted, where an empty link table used to mean "every account".

Plain ALTER TABLE ADD/DROP COLUMN, not batch mode: on SQLite a batch that recreates
customer_users drops the old table, and with foreign keys on (portal/foundations/database.py) that DROP
deletes every customer_user_accounts row through its ON DELETE CASCADE, which would turn
every limited user into one who sees all accounts. The constant server default keeps ADD
COLUMN possible on SQLite; DROP COLUMN needs SQLite 3.35 or later.

Revision ID: 0140
Revises: 0130
"""
import sqlalchemy as sa
from alembic import op

revision = "0140"
down_revision = "0130"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("customer_users", sa.Column("limited_to_accounts", sa.Boolean(), nullable=False,
                                              server_default="0"))
    op.execute("UPDATE customer_users SET limited_to_accounts = "
               "EXISTS (SELECT 1 FROM customer_user_accounts WHERE customer_user_accounts.user_id = customer_users.id)")


def downgrade():
    op.drop_column("customer_users", "limited_to_accounts")
