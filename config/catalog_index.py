"""The source catalog memoised per process, and the instrument labels and units read from it:
what the pages and the API both show of the catalog (config/catalog.py loads it)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from config.catalog import Catalog, load_catalog
from config.settings import Settings


@lru_cache(maxsize=4)
def _catalog(path: Path, settings: Settings) -> Catalog:
    return load_catalog(settings, path)


def catalog(settings: Settings) -> Catalog:
    return _catalog(settings.sources_file, settings)


def labels(settings: Settings, dataset: str) -> dict[str, str]:
    return {i.key: i.label for i in catalog(settings).for_dataset(dataset)}


@lru_cache(maxsize=64)
def _units(path: Path, settings: Settings, dataset: str) -> dict[str, str]:
    return {i.key: i.unit for i in _catalog(path, settings).for_dataset(dataset) if i.unit}


def units(settings: Settings, dataset: str) -> dict[str, str]:
    """The catalog's unit of each instrument of ``dataset`` that has one (key → unit)."""
    return _units(settings.sources_file, settings, dataset)


def sectors(settings: Settings, dataset: str) -> dict[str, str]:
    """The catalog's GICS sector of each instrument of ``dataset`` that has one (key → sector)."""
    return {i.key: i.sector for i in catalog(settings).for_dataset(dataset) if i.sector}
