"""Delivery of invoices: e-mail, and download links (signed tokens) for the public `/d/<token>` route."""
