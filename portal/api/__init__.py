"""Machine-client APIs, one sub-package per documented API (jsonapi, backend_v1, orgs_v2) and the OpenAPI document."""
