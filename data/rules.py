"""The bureau's business constants, each in one place (strings take them as parameters)."""

from __future__ import annotations

from dataclasses import dataclass

INVENTION_SHARE_FLOOR = 3.5  # percent: the report calls an invention share of grants below 3.5% too low
NETWORK_UPTIME_TARGET = 0.999  # the seismic network's availability objective (99.9%)


@dataclass(frozen=True)
class Thresholds:
    """When a completion (actual / target) is on track, at risk or missed; set in Settings (STI_STATUS_*).

    Higher-is-better indicators: on track at `on_track` (100%) or more, at risk from `at_risk` (90%), missed
    below. Lower-is-better ones the other way round: on track at 100% or less, at risk up to as far above
    the target (110%), missed beyond. A KPI whose 同比 worsens by more than `decline` (a fraction of the
    previous value; for percentage indicators, in points ×100) is at risk too.
    """

    on_track: float = 1.0
    at_risk: float = 0.9
    decline: float = 0.0

    @property
    def key(self) -> str:
        """The thresholds as text, for cache keys ('1.0/0.9/0.0')."""
        return f"{self.on_track}/{self.at_risk}/{self.decline}"

    def bound(self, status: str, higher_is_better: bool = True) -> float:
        """The completion at which `status` ('on_track' or 'at_risk') begins: its floor (1.0, 0.9), or for a
        lower-is-better indicator its ceiling, as far above the target (1.0, 1.1)."""
        floor = self.on_track if status == ON_TRACK else self.at_risk
        return floor if higher_is_better else round(2 - floor, 9)

    def status(self, completion: float | None, higher_is_better: bool = True) -> str | None:
        """'on_track', 'at_risk' or 'missed' for a completion ratio; None without one."""
        if completion is None:
            return None
        if higher_is_better:
            good, risky = completion >= self.on_track, completion >= self.at_risk
        else:
            good = completion <= self.bound(ON_TRACK, False)
            risky = completion <= self.bound(AT_RISK, False)
        return ON_TRACK if good else AT_RISK if risky else MISSED

    def declining(self, change: float | None, points: bool, higher_is_better: bool = True) -> bool:
        """Whether a 同比 change (a ratio, or points for percentage indicators) worsens beyond `decline`."""
        if change is None:
            return False
        worse = -change if higher_is_better else change
        return worse > self.decline * (100 if points else 1) + 1e-12


ON_TRACK, AT_RISK, MISSED = "on_track", "at_risk", "missed"
STATUSES = (ON_TRACK, AT_RISK, MISSED)


DEFAULT_THRESHOLDS = Thresholds()
