"""The bureau's business constants, each in one place (strings take them as parameters)."""

from __future__ import annotations

INVENTION_SHARE_FLOOR = 3.5  # percent: the report calls an invention share of grants below 3.5% too low
NETWORK_UPTIME_TARGET = 0.999  # the seismic network's availability objective (99.9%)
