"""admin users get a password token version (single-use password reset links)

Revision ID: 0030
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("admin_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_token_version", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade():
    with op.batch_alter_table("admin_users", schema=None) as batch_op:
        batch_op.drop_column("password_token_version")
