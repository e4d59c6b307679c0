"""Machine-client APIs, one sub-package per documented API (jsonapi: admin and customer v1 JSON:API)."""
