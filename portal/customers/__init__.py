"""Customers, their accounts and their users: the records a customer is, and who may see what of it."""
