"""One serializer module per resource family; importing this package registers every resource."""

from portal.api.jsonapi.serializers import catalog, invoices, rows  # noqa: F401 - importing the modules registers their resources
