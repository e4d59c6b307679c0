"""Delivery of invoices: e-mail (SMTP or the outbox folder), download links, delivery records."""
