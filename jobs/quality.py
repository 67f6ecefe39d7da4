"""The download run's quality step: flag the suspicious points of a downloaded series
(datasources/quality.py) and check them against the next provider of its cascade.

The check costs at most one extra request per flagged instrument and run (the second
provider's first request, asked from shortly before the earliest flag; every request of a
connector that reads its requests together), and it never fails the
download: a second provider that is missing, unconfigured, open-circuited or failing leaves the
flags ``unchecked``, with the reason.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pandas as pd

from config.catalog import Catalog, Instrument, Provider, Quality
from datasources import quality
from datasources.base import parse_responses, reads_together
from datasources.fetcher import Fetcher
from datasources.registry import CONNECTORS
from sql.datasets import DatasetSpec

log = logging.getLogger(__name__)

# How far before the earliest flag the second provider is asked from (a jump needs the day before).
CHECK_MARGIN = timedelta(days=10)


def judge(spec: DatasetSpec, frame: pd.DataFrame, rules: Quality) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The flags of one instrument's canonical ``frame`` and the spans its rules judged (both
    empty for a dataset without a value column or an instrument without rules)."""
    if spec.value_column is None or not rules.checks or frame.empty:
        return quality.find(frame.iloc[0:0], spec.key_column, spec.date_column, spec.date_column, Quality())
    return quality.find(frame, spec.key_column, spec.date_column, spec.value_column, rules)


def _second(catalog: Catalog, fetcher: Fetcher, spec: DatasetSpec, inst: Instrument, used: Provider):
    """The provider after ``used`` in the cascade that can answer now, with why none can."""
    later = inst.providers[inst.providers.index(used) + 1 :]
    reasons = []
    for provider in later:
        source = catalog.sources[provider.source]
        connector = CONNECTORS.get(source.provider)
        if connector is None or connector.kind != spec.kind:
            continue
        if not fetcher.is_configured(source):
            reasons.append(f"{source.id} not configured")
            continue
        if fetcher.circuit_open(source.id):
            reasons.append(f"{source.id} circuit open")
            continue
        return provider, None
    return None, "; ".join(reasons) or "no second provider in the catalog"


def cross_check(
    run,
    spec: DatasetSpec,
    inst: Instrument,
    used: Provider,
    flags: pd.DataFrame,
) -> pd.DataFrame:
    """``flags`` of ``inst`` (downloaded from ``used``) judged against the next provider."""
    provider, reason = _second(run.catalog, run.fetcher, spec, inst, used)
    if provider is None:
        return quality.unchecked(flags, None, reason)
    source = run.catalog.sources[provider.source]
    try:
        earliest = min(flags["date"])
        gaps = flags.loc[flags["rule"] == "gap", "value"]
        since: date = earliest - CHECK_MARGIN - timedelta(days=int(gaps.max()) if not gaps.empty else 0)
        connector = CONNECTORS[source.provider]
        requests = connector.build_requests(source.base_url, provider.symbol, since, run.fetcher.api_key(source.id))
        # The first request is enough to judge by; every one when they answer only together.
        asked = requests if reads_together(connector) else requests[:1]
        bodies = [run.fetcher.fetch(source, request).body for request in asked]
        parsed = parse_responses(connector, bodies, provider.symbol)[0]
        other = run._canonical(spec, parsed, inst.key, provider.symbol)
        second = pd.DataFrame({"date": other[spec.date_column], "value": other[spec.value_column]})
        return quality.cross_check(flags, second, source.id, inst.quality.tolerance)
    except Exception as exc:  # noqa: BLE001 - a failed check leaves the flags unchecked, never fails the write
        log.debug("%s/%s: cross-check against %s failed: %s", spec.name, inst.key, source.id, exc)
        return quality.unchecked(flags, source.id, f"{source.id} failed ({type(exc).__name__}: {exc})"[:300])


FLAG_COLUMNS = [*quality.FLAG_COLUMNS, "source"]
SPAN_COLUMNS = quality.SPAN_COLUMNS
