"""The vocabulary every other layer shares, with no torch and no plotly: the method table, the record
schemas and the typed run configuration."""

__all__ = ["methods", "config", "schema"]
