"""Licensing: cases from the licensing backend, routing and case rooms."""
