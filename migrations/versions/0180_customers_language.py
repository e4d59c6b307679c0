"""customers get language: the language of their portal pages, invoice PDFs, e-mails and download pages

One of the codes in portal.foundations.i18n.LANGUAGES (en, de, fr, es to start); existing customers get
English, what they saw before.

Plain ALTER TABLE ADD/DROP COLUMN, not batch mode: on SQLite a batch that recreates customers would drop
the old table, and with foreign keys on its ON DELETE CASCADE would delete every contact. The constant
server default keeps ADD COLUMN possible on SQLite; DROP COLUMN needs SQLite 3.35 or later.

Revision ID: 0180
Revises: 0170
"""
import sqlalchemy as sa
from alembic import op

revision = "0180"
down_revision = "0170"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("customers", sa.Column("language", sa.String(length=8), nullable=False, server_default="en"))


def downgrade():
    op.drop_column("customers", "language")
