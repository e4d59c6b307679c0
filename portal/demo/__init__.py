"""Deterministic, realistic demo data for `make run` and benchmarks (`flask --app portal demo-data`)."""

from portal.demo.loader import DemoSummary, database_has_organization, load_demo_data

__all__ = ["DemoSummary", "database_has_organization", "load_demo_data"]
