"""Sign-in for people (sessions) and machines (JWT, API keys)."""
