"""The websocket adapter (see docs/feeds.md)."""
