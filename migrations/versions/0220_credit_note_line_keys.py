"""credit-note lines keep the key of the invoice statement line they credit, also those issued before it was used

Credit notes issued before the e-invoice was fed from the invoice statement stored their lines' keys
as `traffic:<direction>:<country>:<network>:<rate>:<spent>` (one line per destination and rate) and
`service:<service id>:<spent>`. The credit-note service compares the keys the statement gives today,
`<section>:<label>` (portal.documents.einvoice_lines), so such a line could be credited a second time.
This rewrites them to today's form: a destination of the calls the invoice charged becomes its
direction's charged line, of the calls it credited its direction's credit line (crediting part of
the direction's calls counts as crediting that line: nothing of it may be credited by line again);
a service line becomes the charge or the credit named after the service as the statement names it
(its name today; "Other" without one). The keys are data only: the downgrade leaves them as they are.

Revision ID: 0220
Revises: 0211
"""

import sqlalchemy as sa
from alembic import op

revision = "0220"
down_revision = "0211"
branch_labels = None
depends_on = None

KEY_LENGTH = 200
# The statement's labels as portal/statement/model.py and build.py write them (English, as stored).
CHARGED = {"originated": "Originated calls charged", "terminated": "Terminated calls charged"}
CREDITED = {"originated": "Originated calls – credit", "terminated": "Terminated calls – credit"}
OTHER_CHARGES = "Other charges"
OTHER_CREDIT = "Other – credit"

lines = sa.table("credit_note_lines", sa.column("id", sa.Integer), sa.column("source_key", sa.String(KEY_LENGTH)))
services = sa.table("services", sa.column("id", sa.Integer), sa.column("name", sa.String(200)))


def current_key(old: str, service_names: dict[int, str]) -> str | None:
    """Today's key of an old one; None for a key that is not of the old forms (left as it is)."""
    parts = old.split(":")
    if parts[0] == "traffic" and len(parts) == 6 and parts[1] in CHARGED:
        direction, spent = parts[1], parts[5] == "1"
        return f"{direction}:{(CHARGED if spent else CREDITED)[direction]}"
    if parts[0] == "service" and len(parts) == 3 and parts[1].isdigit():
        name = service_names.get(int(parts[1])) or ""
        if parts[2] == "1":
            return f"charges:{name or OTHER_CHARGES}"[:KEY_LENGTH]
        return f"credits:{f'{name} – credit' if name else OTHER_CREDIT}"[:KEY_LENGTH]
    return None


def upgrade():
    conn = op.get_bind()
    old = conn.execute(
        sa.select(lines.c.id, lines.c.source_key).where(
            sa.or_(lines.c.source_key.like("traffic:%"), lines.c.source_key.like("service:%"))
        )
    ).all()
    if not old:
        return
    service_names = dict(conn.execute(sa.select(services.c.id, services.c.name)).all())
    for line_id, key in old:
        new = current_key(key, service_names)
        if new is not None:
            conn.execute(sa.update(lines).where(lines.c.id == line_id).values(source_key=new))


def downgrade():
    pass  # the old keys name nothing the code of 0211 reads either
