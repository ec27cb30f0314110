"""The ``gridwall`` command: one module per topic, each adding its commands to ``cli``."""

from __future__ import annotations

import sys

from gridwall.cli import (  # noqa: F401 - each module registers its commands
    briefing,
    feeds,
    privacy,
    refdata,
    run,
    users,
)
from gridwall.cli.base import cli


def main() -> None:
    try:
        cli(prog_name="gridwall")
    except KeyboardInterrupt:
        sys.exit(130)
