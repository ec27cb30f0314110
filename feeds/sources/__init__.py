"""Sources: the feeds file (one entry per source), source health and source credentials."""
