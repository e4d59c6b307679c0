"""credit notes and e-invoice delivery: credit note columns and lines, their number series, customers' buyer
reference (BT-10) and delivery format

A credit note is an invoice row that refers to the invoice it corrects
(credited_invoice_id) and says why (credit_reason); its lines are in credit_note_lines and its
numbers come from credit_note_number_counters, a series of their own. The invoice keeps the total
of its credit notes in credited_amount. A credit note covers its invoice's period, so the
PostgreSQL no-overlap constraint leaves credit notes out.

Revision ID: 0170
Revises: 0160
"""

import sqlalchemy as sa
from alembic import op

revision = "0170"
down_revision = "0160"
branch_labels = None
depends_on = None

OVERLAP = "EXCLUDE USING gist (account_id WITH =, tstzrange(start_date, end_date, '[)') WITH &&)"


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    # Plain ADD COLUMNs only: SQLite would otherwise rebuild these tables, which their foreign keys forbid.
    op.add_column("customers", sa.Column("buyer_reference", sa.String(length=100), nullable=True))
    op.add_column("customers", sa.Column("delivery_format", sa.String(length=10), server_default="pdf", nullable=False))
    if _postgresql():
        op.add_column(
            "invoices",
            sa.Column(
                "credited_invoice_id",
                sa.Integer(),
                sa.ForeignKey("invoices.id", name=op.f("fk_invoices_credited_invoice_id_invoices")),
                nullable=True,
            ),
        )
    else:  # SQLite adds a column with its reference in one statement, and only so
        op.execute("ALTER TABLE invoices ADD COLUMN credited_invoice_id INTEGER REFERENCES invoices (id)")
    op.add_column("invoices", sa.Column("credit_reason", sa.String(length=500), nullable=True))
    op.add_column(
        "invoices", sa.Column("credited_amount", sa.Numeric(precision=20, scale=6), server_default="0", nullable=False)
    )
    op.create_index(op.f("ix_invoices_credited_invoice_id"), "invoices", ["credited_invoice_id"], unique=False)
    if _postgresql():
        op.execute("ALTER TABLE invoices DROP CONSTRAINT ex_invoices_no_overlap")
        op.execute(
            f"ALTER TABLE invoices ADD CONSTRAINT ex_invoices_no_overlap {OVERLAP} WHERE (credited_invoice_id IS NULL)"
        )

    op.create_table(
        "credit_note_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_note_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=20, scale=4), nullable=False),
        sa.Column("unit_code", sa.String(length=3), nullable=False),
        sa.Column("net_amount", sa.Numeric(precision=20, scale=6), nullable=False),
        sa.CheckConstraint("net_amount <> 0", name=op.f("ck_credit_note_lines_net_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["invoices.id"],
            name=op.f("fk_credit_note_lines_credit_note_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_note_lines")),
    )
    with op.batch_alter_table("credit_note_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_note_lines_credit_note_id"), ["credit_note_id"], unique=False)

    op.create_table(
        "credit_note_number_counters",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_credit_note_number_counters_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("organization_id", "year", name=op.f("pk_credit_note_number_counters")),
    )


def downgrade():
    op.drop_table("credit_note_number_counters")
    with op.batch_alter_table("credit_note_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_note_lines_credit_note_id"))
    op.drop_table("credit_note_lines")
    op.execute("DELETE FROM invoices WHERE credited_invoice_id IS NOT NULL")
    if _postgresql():
        op.execute("ALTER TABLE invoices DROP CONSTRAINT ex_invoices_no_overlap")
        op.execute(f"ALTER TABLE invoices ADD CONSTRAINT ex_invoices_no_overlap {OVERLAP}")
    op.drop_index(op.f("ix_invoices_credited_invoice_id"), table_name="invoices")
    # SQLite drops plain columns in place; rebuilding a table whose rows others refer to breaks their keys.
    for table, column in (
        ("invoices", "credited_amount"),
        ("invoices", "credit_reason"),
        ("customers", "delivery_format"),
        ("customers", "buyer_reference"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    if _postgresql():
        op.drop_constraint(op.f("fk_invoices_credited_invoice_id_invoices"), "invoices", type_="foreignkey")
        op.drop_column("invoices", "credited_invoice_id")
    else:  # a column with a reference: only a rebuild removes it
        with op.batch_alter_table("invoices", schema=None) as batch_op:
            batch_op.drop_column("credited_invoice_id")
