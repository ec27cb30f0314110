"""gridwall: the real-time command-center wall for grid-based grassroots governance.

This package assembles the processes (CLI, servers, the demo supervisor); ``feeds`` writes,
``dashboard`` reads and shows.
"""

__version__ = "0.1.0"
