"""Invoice documents: the PDF (WeasyPrint, one render function fed plain data) and CSV exports."""
