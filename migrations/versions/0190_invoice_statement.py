"""invoice_discounts: what each discount plan took off an invoice; organizations get registration and bank fields

The invoice statement shows every discount plan applied to an invoice as its own line (for
free minutes: used and left of the allowance), so the fill records what each plan took. The
statement's payment instructions and the PDF name the issuer's company registration number,
registered office, bank, IBAN and BIC. Existing invoices have no discount rows: their
discount shows as one line; existing organizations keep NULL (their free-text bank details).

Revision ID: 0190
Revises: 0180
"""
import sqlalchemy as sa
from alembic import op

revision = "0190"
down_revision = "0180"
branch_labels = None
depends_on = None

_ORGANIZATION_COLUMNS = (
    lambda: sa.Column("registration_number", sa.String(length=64), nullable=True),
    lambda: sa.Column("registered_office", sa.String(length=300), nullable=True),
    lambda: sa.Column("bank_name", sa.String(length=200), nullable=True),
    lambda: sa.Column("iban", sa.String(length=34), nullable=True),
    lambda: sa.Column("bic", sa.String(length=11), nullable=True),
)


def upgrade():
    op.create_table(
        "invoice_discounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("discount_plan_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("percent", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("base", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column("free_seconds", sa.Integer(), nullable=True),
        sa.Column("used_seconds", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.CheckConstraint("amount >= 0 AND used_seconds >= 0", name=op.f("ck_invoice_discounts_counters")),
        sa.CheckConstraint("kind IN ('percentage', 'free_minutes')", name=op.f("ck_invoice_discounts_kind")),
        sa.ForeignKeyConstraint(
            ["discount_plan_id"],
            ["discount_plans.id"],
            name=op.f("fk_invoice_discounts_discount_plan_id_discount_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_discounts_invoice_id_invoices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_discounts")),
    )
    with op.batch_alter_table("invoice_discounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invoice_discounts_invoice_id"), ["invoice_id"], unique=False)
    # Plain ADD/DROP COLUMN, not batch mode: on SQLite a batch recreates organizations, and with
    # foreign keys on dropping the old table fails (customers refer to it).
    for column in _ORGANIZATION_COLUMNS:
        op.add_column("organizations", column())


def downgrade():
    for column in reversed(_ORGANIZATION_COLUMNS):
        op.drop_column("organizations", column().name)
    with op.batch_alter_table("invoice_discounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_discounts_invoice_id"))
    op.drop_table("invoice_discounts")
