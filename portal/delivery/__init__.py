"""Delivery of invoices: e-mail, download links (signed tokens) for `/d/<token>`, delivery records, exports."""
