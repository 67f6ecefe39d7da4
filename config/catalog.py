"""The source catalog (``config/sources.yaml``): parsed and validated into plain records.

A typo in the catalog is a clear :class:`CatalogError` naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from config.freshness import DEFAULT_LAGS, Freshness, FreshnessError, parse_freshness, parse_lags
from config.settings import Settings

CATEGORIES = {
    "stocks",
    "indices",
    "forex",
    "crypto",
    "economic",
    "commodities",
    "options",
    "rates",
    "volatility",
    "sentiment",
}
# The eleven sectors of the Global Industry Classification Standard (MSCI / S&P), in its order.
GICS_SECTORS = (
    "Energy",
    "Materials",
    "Industrials",
    "Consumer Discretionary",
    "Consumer Staples",
    "Health Care",
    "Financials",
    "Information Technology",
    "Communication Services",
    "Utilities",
    "Real Estate",
)

DEFAULT_LAG_ITEMS = tuple(DEFAULT_LAGS.items())


class CatalogError(ValueError):
    """The catalog file is not what the station can run on."""


@dataclass(frozen=True)
class Source:
    id: str
    provider: str
    category: str
    base_url: str
    auth_env: str | None
    rate_limit_per_minute: int | None
    notes: str


@dataclass(frozen=True)
class Provider:
    source: str
    symbol: str


@dataclass(frozen=True)
class Quality:
    """What makes a stored point suspicious — written, and flagged in ``data_quality`` — as
    opposed to impossible (refused: datasources/validate.py). ``None`` turns a rule off."""

    max_jump: float | None = None  # largest |close-to-close move| as a fraction (0.25 = 25 %)
    stale_bars: int | None = None  # the same value this many observations in a row
    max_gap_days: int | None = None  # most calendar days between two consecutive observations
    allow_non_positive: bool = False  # prices <= 0 happen (futures, spreads, yields, rates): flagged, not refused
    tolerance: float = 0.02  # a second provider within this fraction of a flagged value confirms it

    @property
    def checks(self) -> bool:
        """Whether any rule is on."""
        return any(v is not None for v in (self.max_jump, self.stale_bars, self.max_gap_days)) or (
            self.allow_non_positive
        )


QUALITY_FIELDS = {
    "max_jump": (int, float),
    "stale_bars": int,
    "max_gap_days": int,
    "allow_non_positive": bool,
    "tolerance": (int, float),
}


@dataclass(frozen=True)
class Instrument:
    dataset: str
    key: str
    label: str
    providers: tuple[Provider, ...]
    unit: str | None = None  # as the source gives it, abbreviated: "%", "index, 2017=100", "thousands"...
    freshness: Freshness | None = None  # this series' own target, where it differs from its dataset's
    quality: Quality = Quality()  # the dataset's ``quality`` block with the instrument's own on top
    sector: str | None = None  # GICS sector of a stock, or the sector a sector fund tracks


@dataclass(frozen=True)
class Catalog:
    sources: dict[str, Source]
    instruments: tuple[Instrument, ...]
    # Each dataset's freshness target (config/freshness.py); a dataset without one is judged
    # series by series, the frequency inferred from each series' dates.
    freshness: dict[str, Freshness] = field(default_factory=dict)
    lags: tuple[tuple[str, int], ...] = DEFAULT_LAG_ITEMS

    def target(self, dataset: str) -> Freshness:
        """``dataset``'s freshness target (``inferred`` when the catalog names none)."""
        return self.freshness.get(dataset) or Freshness(lags=self.lags)

    def series_targets(self, dataset: str) -> dict[str, Freshness]:
        """The instruments of ``dataset`` whose target differs from the dataset's, by key."""
        return {i.key: i.freshness for i in self.instruments if i.dataset == dataset and i.freshness is not None}

    def per_series(self, dataset: str) -> bool:
        """Whether ``dataset`` is judged series by series: its frequency is inferred per series,
        or some of its instruments have targets of their own (mixed frequencies)."""
        return self.target(dataset).per_series or any(
            i.freshness is not None for i in self.instruments if i.dataset == dataset
        )

    def datasets(self) -> list[str]:
        return list(dict.fromkeys(i.dataset for i in self.instruments))

    def for_dataset(self, name: str) -> list[Instrument]:
        return [i for i in self.instruments if i.dataset == name]

    def label(self, dataset: str, key: str) -> str:
        for inst in self.instruments:
            if inst.dataset == dataset and inst.key == key:
                return inst.label
        return key

    def unit(self, dataset: str, key: str) -> str | None:
        for inst in self.instruments:
            if inst.dataset == dataset and inst.key == key:
                return inst.unit
        return None

    def quality(self, dataset: str, key: str) -> Quality:
        """The quality rules of one instrument (no rules for one the catalog does not know)."""
        for inst in self.instruments:
            if inst.dataset == dataset and inst.key == key:
                return inst.quality
        return Quality()


# libyaml's safe loader when PyYAML was built with it (the wheels are): 5-8x faster than the
# pure-Python one, which took ~1 s of the first page a web process drew (the catalog) and 0.3 s
# of every app's start (the dashboards).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(SAFE_LOADER):
    """Keeps each mapping's line number under ``__line__`` for error messages."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _require(entry: dict, field: str, where: str) -> object:
    value = entry.get(field)
    if value in (None, ""):
        raise CatalogError(f"{where}: missing required field {field!r}")
    return value


def _list(value: object, what: str, where: str) -> list:
    """``value`` as a list (``None`` is empty); anything else is a catalog mistake, not a crash."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise CatalogError(f"{where}: {what} must be a list, got {type(value).__name__}")
    return value


def _mapping(value: object, what: str, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: {what} must be a mapping, got {type(value).__name__}")
    return value


def _unit(entry: dict, where: str) -> str | None:
    """The optional ``unit`` of an instrument or family: a non-empty string, or absent."""
    value = entry.get("unit")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: unit must be a non-empty string, got {value!r}")
    return value.strip()


def _sector(entry: dict, where: str) -> str | None:
    """The optional ``sector`` of an instrument: one of the eleven GICS sectors, or absent."""
    value = entry.get("sector")
    if value is None:
        return None
    if value not in GICS_SECTORS:
        raise CatalogError(f"{where}: sector must be one of the GICS sectors {sorted(GICS_SECTORS)}, got {value!r}")
    return str(value)


def _quality_fields(raw: object, where: str) -> dict:
    """A ``quality`` mapping checked field by field (``null`` turns a rule off)."""
    block = _mapping(raw, "quality", where)
    _check_fields(block, set(QUALITY_FIELDS), where)
    out = {}
    for name, value in block.items():
        if name == "__line__":
            continue
        kinds = QUALITY_FIELDS[name]
        if value is None and name not in ("allow_non_positive", "tolerance"):
            out[name] = None
            continue
        if isinstance(value, bool) != (kinds is bool) or not isinstance(value, kinds):
            raise CatalogError(
                f"{where}: quality.{name} must be {getattr(kinds, '__name__', 'a number')}, got {value!r}"
            )
        if kinds is not bool and value <= 0:
            raise CatalogError(f"{where}: quality.{name} must be > 0, got {value!r}")
        out[name] = value
    return out


def _dataset_quality(doc: dict, datasets: set[str], filename: str, settings: Settings | None) -> dict[str, dict]:
    """Each dataset's ``quality`` block; a block without ``max_jump`` takes SPARTAN_MAX_DAILY_JUMP."""
    fallback = settings.max_daily_jump if settings is not None else 0.5
    out = {}
    for name, raw in _mapping(doc.get("quality"), "'quality'", filename).items():
        if name == "__line__":
            continue
        where = f"{filename}:{raw.get('__line__', '?') if isinstance(raw, dict) else '?'}"
        if name not in datasets:
            raise CatalogError(f"{where}: quality names dataset {name!r}, which has no instruments")
        out[name] = {"max_jump": fallback, **_quality_fields(raw, where)}
    return out


def _entry(value: object, what: str, filename: str) -> tuple[dict, str]:
    """One list item that must be a mapping, and where it is (``file:line``)."""
    if not isinstance(value, dict):
        raise CatalogError(f"{filename}: each {what} must be a mapping, got {value!r}")
    return value, f"{filename}:{value.get('__line__', '?')}"


def _check_fields(entry: dict, allowed: set[str], where: str) -> None:
    unknown = set(entry) - allowed - {"__line__"}
    if unknown:
        raise CatalogError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(allowed)}")


def parse_catalog(text: str, settings: Settings | None = None, filename: str = "sources.yaml") -> Catalog:
    """Parse catalog YAML; base URLs named by ``base_url_setting`` come from ``settings``."""
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506  # nosec B506 # _LineLoader is a yaml.SafeLoader
    except yaml.YAMLError as exc:
        raise CatalogError(f"{filename}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or "sources" not in doc or "datasets" not in doc:
        raise CatalogError(f"{filename}: needs top-level 'sources' and 'datasets'")
    sources: dict[str, Source] = {}
    for raw in _list(doc["sources"], "'sources'", filename):
        entry, where = _entry(raw, "source", filename)
        _check_fields(
            entry,
            {
                "id",
                "provider",
                "category",
                "base_url",
                "base_url_setting",
                "auth_env",
                "rate_limit_per_minute",
                "notes",
            },
            where,
        )
        source_id = str(_require(entry, "id", where))
        if source_id in sources:
            raise CatalogError(f"{where}: source {source_id!r} is defined twice")
        category = str(_require(entry, "category", where))
        if category not in CATEGORIES:
            raise CatalogError(f"{where}: category {category!r} is not one of {sorted(CATEGORIES)}")
        base_url = str(_require(entry, "base_url", where))
        setting = entry.get("base_url_setting")
        if setting and settings is not None:
            if not hasattr(settings, setting):
                raise CatalogError(f"{where}: base_url_setting {setting!r} is not a setting")
            base_url = getattr(settings, setting)
        if settings is not None:
            overrides = dict(settings.base_url_overrides)
            base_url = overrides.get(source_id.lower()) or overrides.get("all") or base_url
        rate = entry.get("rate_limit_per_minute")
        if rate is not None and (not isinstance(rate, int) or rate <= 0):
            raise CatalogError(f"{where}: rate_limit_per_minute must be a positive integer")
        sources[source_id] = Source(
            id=source_id,
            provider=str(_require(entry, "provider", where)),
            category=category,
            base_url=base_url.rstrip("/"),
            auth_env=entry.get("auth_env"),
            rate_limit_per_minute=rate,
            notes=str(entry.get("notes") or ""),
        )
    datasets = {
        name: list(_list(entries, f"dataset {name!r}", filename))
        for name, entries in _mapping(doc["datasets"], "'datasets'", filename).items()
        if name != "__line__"
    }
    lags, targets = _freshness_targets(doc, datasets, filename)
    for name, generated in _expand_families(doc, filename).items():
        datasets.setdefault(name, []).extend(generated)
    quality = _dataset_quality(doc, set(datasets), filename, settings)
    instruments: list[Instrument] = []
    for dataset_name, entries in datasets.items():
        if dataset_name == "__line__":
            continue
        seen: set[str] = set()
        for raw in entries:
            entry, where = _entry(raw, f"instrument of {dataset_name}", filename)
            _check_fields(entry, {"key", "label", "unit", "providers", "freshness", "quality", "sector"}, where)
            key = str(_require(entry, "key", where))
            if key in seen:
                raise CatalogError(f"{where}: instrument {key!r} appears twice in {dataset_name}")
            seen.add(key)
            providers = []
            for raw_provider in _list(_require(entry, "providers", where), "'providers'", where):
                p, pwhere = _entry(raw_provider, "provider", filename)
                _check_fields(p, {"source", "symbol"}, pwhere)
                source_id = str(_require(p, "source", pwhere))
                if source_id not in sources:
                    raise CatalogError(f"{pwhere}: provider source {source_id!r} is not a catalogued source")
                providers.append(Provider(source=source_id, symbol=str(_require(p, "symbol", pwhere))))
            label = str(entry.get("label") or key)
            own = None
            if entry.get("freshness") is not None:
                base = targets.get(dataset_name) or Freshness(lags=lags)
                try:
                    own = parse_freshness(entry["freshness"], where, base)
                except FreshnessError as exc:
                    raise CatalogError(str(exc)) from None
            rules = Quality(**{**quality.get(dataset_name, {}), **_quality_fields(entry.get("quality"), where)})
            instruments.append(
                Instrument(
                    dataset_name,
                    key,
                    label,
                    tuple(providers),
                    _unit(entry, where),
                    freshness=own,
                    quality=rules,
                    sector=_sector(entry, where),
                )
            )
    unknown = set(targets) - set(datasets)
    if unknown:
        raise CatalogError(f"{filename}: freshness for dataset(s) {sorted(unknown)} that the catalog does not have")
    return Catalog(sources=sources, instruments=tuple(instruments), freshness=targets, lags=lags)


def _freshness_targets(doc: dict, datasets: dict, filename: str) -> tuple[tuple, dict[str, Freshness]]:
    """The catalog's ``freshness:``: ``lags`` (publication lag by frequency) and ``datasets``
    (each dataset's target)."""
    section = _mapping(doc.get("freshness"), "'freshness'", filename)
    where = f"{filename}:{section.get('__line__', '?')}"
    _check_fields(section, {"lags", "datasets"}, where)
    try:
        lags = parse_lags(section["lags"], where) if section.get("lags") is not None else DEFAULT_LAG_ITEMS
        targets = {}
        for name, entry in _mapping(section.get("datasets"), "'freshness.datasets'", filename).items():
            if name == "__line__":
                continue
            line = entry.get("__line__", "?") if isinstance(entry, dict) else "?"
            targets[name] = parse_freshness(entry, f"{filename}:{line} (freshness of {name})", Freshness(lags=lags))
    except FreshnessError as exc:
        raise CatalogError(str(exc)) from None
    return lags, targets


def _expand_families(doc: dict, filename: str) -> dict[str, list[dict]]:
    """``families`` describe many instruments at once: one per member of a named list.

    ``{source, pattern, key, label, unit, over, freshness}``: ``pattern`` (the provider's symbol),
    ``key`` and ``label`` may use ``{code}`` and ``{name}`` of each member of ``lists[over]``;
    ``unit`` and ``freshness`` (optional) are every member's.
    """
    lists = _mapping(doc.get("lists"), "'lists'", filename)
    out: dict[str, list[dict]] = {}
    for dataset_name, families in _mapping(doc.get("families"), "'families'", filename).items():
        if dataset_name == "__line__":
            continue
        for raw in _list(families, f"families of {dataset_name!r}", filename):
            family, where = _entry(raw, "family", filename)
            _check_fields(family, {"source", "pattern", "key", "label", "unit", "over", "freshness"}, where)
            unit = _unit(family, where)
            over = str(_require(family, "over", where))
            members = lists.get(over)
            if not isinstance(members, dict):
                raise CatalogError(f"{where}: 'over: {over}' names no list under 'lists'")
            pattern = str(_require(family, "pattern", where))
            for code, name in members.items():
                if code == "__line__":
                    continue
                fill = {"code": code, "name": name}
                try:
                    symbol = pattern.format(**fill)
                    entry = {
                        "key": str(family.get("key") or pattern).format(**fill),
                        "label": str(family.get("label") or pattern).format(**fill),
                    }
                except (KeyError, IndexError) as exc:
                    raise CatalogError(f"{where}: pattern uses an unknown field {exc}") from None
                if unit is not None:
                    entry["unit"] = unit
                if family.get("freshness") is not None:
                    entry["freshness"] = family["freshness"]
                line = family.get("__line__", "?")
                entry["providers"] = [{"source": _require(family, "source", where), "symbol": symbol, "__line__": line}]
                entry["__line__"] = line
                out.setdefault(dataset_name, []).append(entry)
    return out


def load_catalog(settings: Settings, path: Path | None = None) -> Catalog:
    """Read and validate the catalog file named by the settings."""
    path = path or settings.sources_file
    return parse_catalog(path.read_text(encoding="utf-8"), settings, filename=path.name)
