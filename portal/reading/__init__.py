"""Read models: the invoice lists and their paging, the customer pages, overviews and the audit log (reads only)."""
