"""The file adapter (see docs/feeds.md)."""
