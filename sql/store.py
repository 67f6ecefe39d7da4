"""The process-wide storage handle: settings, engine and cache, configured once at start."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import Engine

from config.settings import Settings
from sql.cache import configure_cache
from sql.db import make_engine
from sql.instrumentation import instrument_engine


@dataclass
class Store:
    settings: Settings
    engine: Engine


_store: Store | None = None


def configure(settings: Settings, app: Flask | None = None) -> Store:
    """Open the database and bind the cache for this process; replaces any earlier store."""
    global _store
    if _store is not None:
        _store.engine.dispose()
    configure_cache(settings, app)
    _store = Store(settings=settings, engine=instrument_engine(make_engine(settings)))
    return _store


def configured() -> bool:
    """Whether this process has a store (an app built on a bare Flask server, e.g. for its
    OpenAPI document alone, has none)."""
    return _store is not None


def get_store() -> Store:
    if _store is None:
        raise RuntimeError("storage is not configured: call sql.store.configure(settings) first")
    return _store
