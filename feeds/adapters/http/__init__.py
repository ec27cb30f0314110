"""The http adapter (see docs/feeds.md)."""
