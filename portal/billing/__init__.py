"""The service layer for invoices: lifecycle, fill (SQL aggregation), periods, billing runs, numbering, payments.

Services add and flush; the caller (request, CLI command or job) commits once.
"""
