"""Machine-facing APIs, one sub-package per documented API, plus the OpenAPI document of all of them."""
