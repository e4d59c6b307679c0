"""The sign-in pages (blueprint "auth"): login, logout, forgotten password, reset and change password."""
