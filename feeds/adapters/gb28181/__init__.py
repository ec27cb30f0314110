"""The gb28181 adapter (see docs/feeds.md)."""
