"""The read API (``/api/v1``): one router per topic."""
