"""``config/analytics.yaml``: the baskets and parameters of the analytics the sidecar computes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from config.catalog import SAFE_LOADER

ANALYTICS_FILE = Path(__file__).resolve().parent / "analytics.yaml"


class AnalyticsConfigError(ValueError):
    """analytics.yaml is malformed; the message names the file and the part."""


@dataclass(frozen=True)
class Ref:
    """One stored instrument: a catalog dataset and key."""

    dataset: str
    key: str


@dataclass(frozen=True)
class AnalyticsConfig:
    correlation_window: int
    correlation_basket: tuple[Ref, ...]
    rotation_dataset: str
    rotation_benchmark: str
    rotation_sectors: tuple[str, ...]
    rotation_ratio_window: int
    rotation_momentum_lag: int
    breadth_universes: tuple[tuple[str, str], ...]  # (universe id, dataset)
    sentiment_scores: tuple[Ref, ...]
    sentiment_fear_high: tuple[Ref, ...]  # dataset "" = a gauge computed here (VIX_TERM_STRUCTURE)
    term_structure: tuple[str, str, str] | None  # (dataset, front key, back key)

    def inputs(self) -> set[str]:
        """Every dataset an analytic reads."""
        refs = (*self.correlation_basket, *self.sentiment_scores, *self.sentiment_fear_high)
        found = {r.dataset for r in refs if r.dataset} | {self.rotation_dataset}
        found |= {dataset for _, dataset in self.breadth_universes}
        if self.term_structure:
            found.add(self.term_structure[0])
        return found


def _section(doc: dict, name: str, where: str) -> dict:
    value = doc.get(name)
    if not isinstance(value, dict):
        raise AnalyticsConfigError(f"{where}: '{name}' must be a mapping")
    return value


def _int(section: dict, name: str, default: int, where: str) -> int:
    value = section.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 2:
        raise AnalyticsConfigError(f"{where}: '{name}' must be an integer >= 2, got {value!r}")
    return value


def _refs(items: object, what: str, where: str, allow_computed: bool = False) -> tuple[Ref, ...]:
    if not isinstance(items, list):
        raise AnalyticsConfigError(f"{where}: '{what}' must be a list")
    refs = []
    for item in items:
        if isinstance(item, dict) and allow_computed and set(item) == {"name"}:
            refs.append(Ref("", str(item["name"])))
        elif isinstance(item, dict) and isinstance(item.get("dataset"), str) and item.get("key") is not None:
            refs.append(Ref(item["dataset"], str(item["key"])))
        else:
            raise AnalyticsConfigError(f"{where}: each entry of '{what}' needs 'dataset' and 'key', got {item!r}")
    return tuple(refs)


def parse_analytics(text: str, where: str = "analytics.yaml") -> AnalyticsConfig:
    try:
        doc = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506  # nosec B506 # SAFE_LOADER is a safe loader
    except yaml.YAMLError as exc:
        raise AnalyticsConfigError(f"{where}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise AnalyticsConfigError(f"{where}: must be a mapping of analytics")
    corr = _section(doc, "correlations", where)
    rot = _section(doc, "sector_rotation", where)
    breadth = _section(doc, "market_breadth", where)
    senti = _section(doc, "sentiment", where)
    universes = breadth.get("universes")
    if not isinstance(universes, list) or not all(
        isinstance(u, dict) and isinstance(u.get("id"), str) and isinstance(u.get("dataset"), str) for u in universes
    ):
        raise AnalyticsConfigError(f"{where}: market_breadth.universes must be a list of {{id, dataset}}")
    sectors = rot.get("sectors")
    if not isinstance(sectors, list) or not sectors:
        raise AnalyticsConfigError(f"{where}: sector_rotation.sectors must be a non-empty list")
    term = senti.get("term_structure")
    if term is not None and not (isinstance(term, dict) and {"dataset", "front", "back"} <= set(term)):
        raise AnalyticsConfigError(f"{where}: sentiment.term_structure needs dataset, front and back")
    return AnalyticsConfig(
        correlation_window=_int(corr, "window_days", 60, where),
        correlation_basket=_refs(corr.get("basket"), "correlations.basket", where),
        rotation_dataset=str(rot.get("dataset", "market_indices")),
        rotation_benchmark=str(rot.get("benchmark", "SPY")),
        rotation_sectors=tuple(str(s) for s in sectors),
        rotation_ratio_window=_int(rot, "ratio_window", 63, where),
        rotation_momentum_lag=_int(rot, "momentum_lag", 10, where),
        breadth_universes=tuple((u["id"], u["dataset"]) for u in universes),
        sentiment_scores=_refs(senti.get("scores", []), "sentiment.scores", where),
        sentiment_fear_high=_refs(senti.get("fear_high", []), "sentiment.fear_high", where, allow_computed=True),
        term_structure=(str(term["dataset"]), str(term["front"]), str(term["back"])) if term else None,
    )


def load_analytics(path: Path = ANALYTICS_FILE) -> AnalyticsConfig:
    try:
        text = path.read_text()
    except OSError as exc:
        raise AnalyticsConfigError(f"{path}: cannot be read: {exc}") from None
    return parse_analytics(text, str(path))
