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
YEAR_MIN, YEAR_MAX = 1980, 2100

# Column kinds understood by the validator (data/load.py).
STR, CODE, INT, NUM, ENUM, BOOL, DATE, DATETIME, YEAR = (
    "str",
    "code",
    "int",
    "num",
    "enum",
    "bool",
    "date",
    "datetime",
    "year",
)


@dataclass(frozen=True)
class Column:
    """One column: its kind, whether it may be empty, allowed values and bounds."""

    name: str
    kind: str = STR
    required: bool = True
    allowed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Reference:
    """`column` must name an existing `target_column` of `target` (a file name)."""

    column: str
    target: str
    target_column: str


@dataclass(frozen=True)
class Table:
    """One CSV file of the dataset."""

    file: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


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
    ),
    key=("indicator", "district", "year"),
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
)
TABLES_BY_FILE: dict[str, Table] = {t.file: t for t in TABLES}

META_FILE = "dataset.json"
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
