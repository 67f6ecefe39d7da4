"""``GET /api/search?q=``: instruments and series of the catalog (from the database, one indexed
query: sql/search.py) and dashboards and panels (from the specs in memory) whose symbol, id,
name or title the query's words start, best first: an exact symbol, then symbols, names and
titles that start with the query, then those that merely contain its words."""

from __future__ import annotations

from flask import Response

from api import conditional
from api.blueprints import api_blueprint, data_responses
from api.envelope import normalized, page_fields, respond
from api.formats import negotiate
from api.schemas import QUERY, SearchArgs, SearchItem, SearchSchema
from config.dashboard_index import boards_digest
from config.search_terms import query_words
from sql import search as catalog_search
from sql import versions
from sql.cache import SYSTEM_DATASET

search_bp = api_blueprint("search", "/api", "Search: instruments, series, dashboards and panels")
COLUMNS = list(SearchItem().fields)
SOURCES = ["catalog_entries", "dashboards"]


@conditional.etag_cache(conditional.DATA_MAX_AGE)
def serve_search(args: dict) -> conditional.Tagged:
    fmt = negotiate(args.pop("format", None))
    version = catalog_search.search_version()
    updated = versions.current().state(SYSTEM_DATASET).updated_at
    etag = conditional.make_etag(version, boards_digest(), normalized(args), fmt)

    def build() -> Response:
        hits = catalog_search.search(args["q"])
        limit, offset = args["limit"], args["offset"]
        items = [{column: getattr(hit, column) for column in COLUMNS} for hit in hits[offset : offset + limit]]
        envelope = {
            "query": args["q"],
            "words": list(query_words(args["q"])),
            "as_of": None,
            "last_update": updated.isoformat() if updated else None,
            "sources": SOURCES,
            "version": version,
            **page_fields(items, len(hits), limit, offset),
        }
        return respond(envelope, fmt, COLUMNS, "spartan-search", etag, updated, conditional.DATA_MAX_AGE)

    return conditional.Tagged(etag, updated, build)


@search_bp.route("/search")
@search_bp.arguments(SearchArgs, **QUERY)
@data_responses(search_bp, SearchSchema, COLUMNS)
def search(args) -> Response:
    """Find instruments, series, dashboards and panels

    By symbol or series id (``SPX``, ``DGS10``, ``BRK-B``), name (``gold``, ``us dollar``) or
    dashboard and panel title (``treasury curve``), case-insensitive; each word of the query
    matches the start of a word. Best first: the exact symbol, symbols that start with the
    query, names and titles that start with it, then those containing its words; among equals
    dashboards, instruments, series, panels. Each result links to its page: ``/instrument/<symbol>``,
    ``/series/<id>``, a dashboard, or a panel on it (``path#panel-<id>``). A query of no letters or
    digits finds nothing (an empty list). Instruments and series come from the database (the
    catalog as the sidecar last synced it), never from a provider.
    """
    return serve_search(args)
