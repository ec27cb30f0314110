"""The frigate adapter (see docs/feeds.md)."""
