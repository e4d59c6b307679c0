"""The invoice statement: one plain, documented structure per invoice that every face renders.

`build_statement(invoice, today)` reads an invoice once and returns a `Statement`: its sections
(originated calls, terminated calls, recurring and one-off charges, credits and refunds,
discounts) of signed, labelled lines rounded to the currency, the subtotal of each, the net, the
VAT lines (reverse charge with its legal note), the total, what was paid, the balance due, the
due date, the payment status and the payment instructions. No face adds amounts up itself: the
web pages, the PDF, the e-mail, the download-link page, the CSV exports, the dashboard and the
APIs show these figures.

Rules that hold for every statement (tests/statement/):
- the lines of all sections sum to `net` (a cent of rounding between the lines and the net is
  its own line, in the section `rounding`);
- `total = net + VAT of the VAT lines`; `balance_due = total - paid`;
- a credited amount is negative and its line says so in words (`kind == "credit"`), a discount
  is negative and names its plan and what it covered;
- a pending (or New) invoice gives its draft figures from its filled lines, `is_draft` set; an
  approved invoice gives the figures raised on approval (they never change).

`vat_amounts` is the one VAT rule: the approval stores what it says, and drafts show it.
The structure holds only str, int, bool, date, Decimal, tuples and these dataclasses (a line's detail is
a lazily translated text: its language is the one it is shown in), so an e-invoice or an API can be built
from it without the database.

Modules: `model` (the dataclasses and the English labels), `figures` (`vat_amounts`,
`statement_figures`), `build` (`build_statement`, the payment instructions and their EPC text).
Import from `portal.statement`.
"""

from portal.statement.build import billing_increment_text, build_statement, epc_payload
from portal.statement.figures import Figures, statement_figures, vat_amounts
from portal.statement.model import (
    BILLED_PER,
    BILLING_INCREMENT,
    CHARGED_LABELS,
    CREDIT_NOTE_TITLE,
    CREDITED_LABELS,
    DRAFT_NOTE,
    INVOICE_TITLE,
    REVERSE_CHARGE_NOTE,
    SECTION_TITLES,
    Line,
    PaymentInstructions,
    Section,
    Statement,
    TrafficRow,
    TrafficTable,
    VatLine,
)

__all__ = [
    "BILLED_PER",
    "BILLING_INCREMENT",
    "CHARGED_LABELS",
    "CREDIT_NOTE_TITLE",
    "CREDITED_LABELS",
    "DRAFT_NOTE",
    "INVOICE_TITLE",
    "REVERSE_CHARGE_NOTE",
    "SECTION_TITLES",
    "Figures",
    "Line",
    "PaymentInstructions",
    "Section",
    "Statement",
    "TrafficRow",
    "TrafficTable",
    "VatLine",
    "billing_increment_text",
    "build_statement",
    "epc_payload",
    "statement_figures",
    "vat_amounts",
]
