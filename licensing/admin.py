"""Licensing's administration screens (Django admin)."""

from licensing import routing_admin  # noqa: F401 - registers the routing rules, team targets and holidays
