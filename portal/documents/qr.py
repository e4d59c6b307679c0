"""The payment QR code: an EPC ("GiroCode") SEPA credit transfer as inline SVG, made with segno."""

from __future__ import annotations

import segno


def payment_qr_svg(payload: str | None) -> str:
    """Inline SVG of the QR code of an EPC payload (statement.PaymentInstructions.epc_payload), or "" without one.

    Error correction M, as EPC069-12 asks; no XML declaration, so it can sit inside HTML.
    """
    if not payload:
        return ""
    code = segno.make(payload, error="m", micro=False, encoding="utf-8")
    return code.svg_inline(scale=3, border=2, title="SEPA payment QR code (GiroCode)")


def payment_qr_data_uri(payload: str | None) -> str:
    """The same QR code as a PNG data: URI (for e-mail, where SVG is rarely shown), or "" without a payload."""
    if not payload:
        return ""
    return segno.make(payload, error="m", micro=False, encoding="utf-8").png_data_uri(scale=4, border=2)
