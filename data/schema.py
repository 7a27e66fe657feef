"""The dataset contract (v1) as code: files, columns, types, keys, allowed values, references."""

from __future__ import annotations

from dataclasses import dataclass, field

TIERS: tuple[str, ...] = (
    "tech_enterprise",
    "hightech_enterprise",
    "innovative_municipal",
    "innovative_provincial",
    "innovative_national",
)
# The contract's names of the tiers (shown when indicators.csv does not define the tier indicators).
TIER_NAMES: dict[str, tuple[str, str]] = {
    "tech_enterprise": ("市级科技型企业", "Municipal tech enterprises"),
    "hightech_enterprise": ("高新技术企业", "High-tech enterprises"),
    "innovative_municipal": ("市级创新型企业", "Municipal innovative enterprises"),
    "innovative_provincial": ("省级创新型企业", "Provincial innovative enterprises"),
    "innovative_national": ("国家级创新型企业", "National innovative enterprises"),
}
# KPI / headline indicator id for each pipeline tier (../shared/DESIGN.md §3).
TIER_INDICATORS: dict[str, str] = {
    "tech_enterprise": "tech_enterprises",
    "hightech_enterprise": "hightech_enterprises",
    "innovative_municipal": "innovative_municipal",
    "innovative_provincial": "innovative_provincial",
    "innovative_national": "innovative_national",
}
DISTRICT_KINDS = ("district", "county", "county_city", "zone")
AGGS = ("sum", "ratio", "city")
DOMAINS = ("patents", "hightech", "enterprise", "rd", "innovation", "seismic", "services", "other")
STATION_KINDS = ("comprehensive", "seismograph", "strong_motion", "precursor")
COUNT_UNITS = ("件", "家", "项", "个", "座")
# Kinds of events.csv with a marker of their own on the charts; `kind` is free text, any other kind is
# drawn like "other" (a bureau may well note a kind of event we did not think of).
EVENT_KINDS = ("policy", "facility", "award", "recognition", "other")
YEAR_MIN, YEAR_MAX = 1980, 2100

# Column kinds understood by the validator (data/load.py).
STR, CODE, INT, NUM, ENUM, BOOL, DATE, DATETIME, YEAR, PERIOD = (
    "str",
    "code",
    "int",
    "num",
    "enum",
    "bool",
    "date",
    "datetime",
    "year",
    "period",  # of a year (contract v2): empty, Q1–Q4, M01–M12 or a span M01-M02 (data/periods.py)
)
FREQUENCIES = ("year", "quarter", "month")
REPORTED_AS = ("period", "ytd")
TEMPORALS = ("flow", "stock")


@dataclass(frozen=True)
class Column:
    """One column: its kind, whether it may be empty, allowed values and bounds; `since` 2 for a column the
    contract v2 added (the header may lack it: every v1 file stays valid, the column then empty)."""

    name: str
    kind: str = STR
    required: bool = True
    allowed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    since: int = 1


@dataclass(frozen=True)
class Reference:
    """`column` must name an existing `target_column` of `target` (a file name)."""

    column: str
    target: str
    target_column: str


@dataclass(frozen=True)
class Table:
    """One CSV file of the dataset; optional files may be absent (their feature is then absent too).

    `together` names files that must be present with this one (seismic stations and their outages).
    """

    file: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = field(default=())
    required: bool = True
    together: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def v1_names(self) -> tuple[str, ...]:
        """The columns of the contract v1 (a v1 file's header)."""
        return tuple(c.name for c in self.columns if c.since == 1)


DISTRICTS = Table(
    "districts.csv",
    (
        Column("code", CODE),
        Column("name_zh"),
        Column("name_en"),
        Column("kind", ENUM, allowed=DISTRICT_KINDS),
        Column("tile_row", INT, min=0, max=50),
        Column("tile_col", INT, min=0, max=50),
    ),
    key=("code",),
)
INDICATORS = Table(
    "indicators.csv",
    (
        Column("indicator"),
        Column("domain", ENUM, allowed=DOMAINS),
        Column("name_zh"),
        Column("name_en"),
        Column("unit_zh", required=False),
        Column("unit_en", required=False),
        Column("agg", ENUM, allowed=AGGS),
        Column("numerator", required=False),
        Column("denominator", required=False),
        Column("scale", NUM, required=False, min=0),
        Column("higher_is_better", BOOL),
        # contract v2 (../shared/DESIGN.md §4): how the rows run through the year, and the catalogue
        Column("frequency", ENUM, required=False, allowed=FREQUENCIES, since=2),
        Column("reported_as", ENUM, required=False, allowed=REPORTED_AS, since=2),
        Column("temporal", ENUM, required=False, allowed=TEMPORALS, since=2),
        Column("definition_zh", required=False, since=2),
        Column("definition_en", required=False, since=2),
        Column("source_zh", required=False, since=2),
        Column("source_en", required=False, since=2),
    ),
    key=("indicator",),
    references=(
        Reference("numerator", "indicators.csv", "indicator"),
        Reference("denominator", "indicators.csv", "indicator"),
    ),
)
OBSERVATIONS = Table(
    "observations.csv",
    (
        Column("indicator"),
        Column("district", CODE),
        Column("year", YEAR),
        Column("value", NUM),
        Column("period", PERIOD, required=False, since=2),  # empty: the whole year
        Column("yoy_reported", NUM, required=False, since=2),  # the growth the source published (0.037)
    ),
    key=("indicator", "district", "year", "period"),
    references=(Reference("indicator", "indicators.csv", "indicator"),),
)
TARGETS = Table(
    "targets.csv",
    (
        Column("indicator"),
        Column("district", CODE),
        Column("year", YEAR),
        Column("target", NUM, min=0),
    ),
    key=("indicator", "district", "year"),
    references=(Reference("indicator", "indicators.csv", "indicator"),),
    required=False,
)
PEERS = Table(
    "peers.csv",
    (
        Column("city_zh"),
        Column("city_en"),
        Column("indicator"),
        Column("year", YEAR),
        Column("value", NUM),
    ),
    key=("city_en", "indicator", "year"),
    references=(Reference("indicator", "indicators.csv", "indicator"),),
    required=False,
)
ENTERPRISES = Table(
    "enterprises.csv",
    (
        Column("enterprise_id"),
        Column("name"),
        Column("district", CODE),
        Column("industry"),
        Column("tier", ENUM, allowed=TIERS),
        Column("year_from", YEAR),
        Column("year_to", YEAR, required=False),
    ),
    key=("enterprise_id", "tier", "year_from"),
    references=(Reference("district", "districts.csv", "code"),),
    required=False,
)
STATIONS = Table(
    "seismic_stations.csv",
    (
        Column("station"),
        Column("name_zh"),
        Column("name_en"),
        Column("district", CODE),
        Column("kind", ENUM, allowed=STATION_KINDS),
        Column("lat", NUM, min=-90, max=90),
        Column("lon", NUM, min=-180, max=180),
        Column("commissioned", DATE),
    ),
    key=("station",),
    references=(Reference("district", "districts.csv", "code"),),
    required=False,
    together=("seismic_outages.csv",),
)
OUTAGES = Table(
    "seismic_outages.csv",
    (
        Column("station"),
        Column("start", DATETIME),
        Column("end", DATETIME),
        Column("cause"),
    ),
    key=("station", "start"),
    references=(Reference("station", "seismic_stations.csv", "station"),),
    required=False,
    together=("seismic_stations.csv",),
)

EVENTS = Table(
    "events.csv",
    (
        Column("date", DATE),
        Column("title_zh"),
        Column("title_en"),
        Column("kind"),
        Column("district", CODE, required=False),  # a district or the city code (data/load.py checks)
        Column("indicator", required=False),  # of indicators.csv, a pipeline tier or network_uptime
    ),
    key=("date", "title_en"),
    required=False,
)

TABLES: tuple[Table, ...] = (
    DISTRICTS,
    INDICATORS,
    OBSERVATIONS,
    TARGETS,
    PEERS,
    ENTERPRISES,
    STATIONS,
    OUTAGES,
    EVENTS,
)
TABLES_BY_FILE: dict[str, Table] = {t.file: t for t in TABLES}

META_FILE = "dataset.json"
# Optional fields of dataset.json: `kpis` (indicator ids of the KPI strip, in order) and `plans`
# (names of plan periods, for targets in later years: [{"name_zh", "name_en", "year"}]).
META_OPTIONAL = ("kpis", "plans")
NETWORK_UPTIME = "network_uptime"  # the seismic network's headline number (from the station tables)
META_FIELDS: dict[str, type] = {
    "city_zh": str,
    "city_en": str,
    "city_code": str,
    "title_zh": str,
    "title_en": str,
    "as_of": str,
    "source_zh": str,
    "source_en": str,
    "sample": bool,
}
CONTRACT_FILES: tuple[str, ...] = (META_FILE, *TABLES_BY_FILE)
