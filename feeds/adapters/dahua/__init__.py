"""The dahua adapter (see docs/feeds.md)."""
