"""The hikvision adapter (see docs/feeds.md)."""
