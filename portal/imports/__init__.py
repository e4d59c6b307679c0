"""Importing CDRs and transactions from CSV files: validation of every row, then bulk inserts."""
