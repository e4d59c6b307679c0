"""EN 16931 e-invoices (Factur-X CII in a PDF/A-3, UBL 2.1 Peppol BIS 3.0) from one plain input.

The package imports nothing else of the portal.
"""
