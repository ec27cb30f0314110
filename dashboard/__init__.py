"""Everything that reads and shows: queries, the read API, the wall, the briefing."""
