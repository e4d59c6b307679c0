"""table_versions: a version per table that every committed write moves (triggers), for the exact-count cache

The API lists' exact counts (JSON:API `meta.total-count`, backend `X-Total-Count`) were kept per
PostgreSQL snapshot, which any commit anywhere on the server moves: under real use they were
counted again on nearly every request (100,000 index entries at 100k invoices). They are now kept
per version of the tables they read. The version changes with every committed write to the table,
whatever statement made it (ORM, Core, raw SQL, bulk insert, TRUNCATE), because a trigger sets it:

- PostgreSQL: a deferred row trigger, run at commit once per transaction (a transaction-local
  setting marks it done), gives the table a new value from a sequence; the row lock on the
  version is taken only at commit, so writers never wait on it while they work and cannot
  deadlock on it. A TRUNCATE trigger does the same at once.
- SQLite (one writer at a time): a row trigger gives it a new random 64-bit value per row.

Revision ID: 0230
Revises: 0220
"""

import sqlalchemy as sa
from alembic import op

revision = "0230"
down_revision = "0220"
branch_labels = None
depends_on = None

TABLES = ("invoices",)  # portal.models.table_version.VERSIONED_TABLES

BUMP_FUNCTION = """
CREATE FUNCTION portal_bump_table_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'ROW' AND current_setting('portal.bumped_' || TG_TABLE_NAME, true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('portal.bumped_' || TG_TABLE_NAME, 'on', true);
    INSERT INTO table_versions (table_name, version) VALUES (TG_TABLE_NAME, nextval('table_versions_seq'))
    ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END
$$
"""


def upgrade():
    op.create_table(
        "table_versions",
        sa.Column("table_name", sa.String(63), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_table_versions")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE table_versions_seq")
        op.execute(BUMP_FUNCTION)
        for table in TABLES:
            op.execute(
                f"CREATE CONSTRAINT TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION portal_bump_table_version()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_version_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION portal_bump_table_version()"
            )
            op.execute(f"INSERT INTO table_versions VALUES ('{table}', nextval('table_versions_seq'))")
        return
    for table in TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_version_{event.lower()} AFTER {event} ON {table} BEGIN "
                f"INSERT OR REPLACE INTO table_versions (table_name, version) VALUES ('{table}', random()); END"
            )
        op.execute(f"INSERT INTO table_versions VALUES ('{table}', random())")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_version_truncate ON {table}")
            op.execute(f"DROP TRIGGER {table}_version ON {table}")
        op.execute("DROP FUNCTION portal_bump_table_version()")
        op.execute("DROP SEQUENCE table_versions_seq")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_version_{event}")
    op.drop_table("table_versions")
