"""Foundations every layer may use: database types, dates, money, ids, errors, permissions, signing keys, text, URLs."""
