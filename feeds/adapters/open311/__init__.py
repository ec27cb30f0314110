"""The open311 adapter (see docs/feeds.md)."""
