"""Delivery of invoices: e-mail (SMTP or the outbox folder), download links (signed tokens) for `/d/<token>`, delivery records."""
