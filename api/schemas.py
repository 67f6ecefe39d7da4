"""What the API accepts and returns, as marshmallow schemas: the query parameters (validated,
400 on anything else) and the response bodies (documented in the OpenAPI document).

Query parameters a route does not name are rejected (400), so a typo such as ``?limt=10``
never silently gives the default.
"""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import fields, validate, validates_schema
from webargs.fields import DelimitedList

from api.datasets import ApiDataset
from api.formats import FORMATS
from config.search_terms import KINDS, MAX_QUERY, QUERY_PATTERN

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
MAX_OFFSET = 10_000_000
MAX_SYMBOLS = 200
INTERVALS = ("daily", "weekly", "monthly")
SEARCH_DEFAULT_LIMIT = 10
SEARCH_MAX_LIMIT = 50
SEARCH_MAX_OFFSET = 500
# Instrument keys as the catalog writes them: SPX, EURUSD, 10Y, HY_OAS, BRK-B, ^GSPC…
KEY_PATTERN = r"^[A-Za-z0-9^][A-Za-z0-9_.^=\-]{0,63}$"
# pandas timestamps span 1677-2262; dates outside this range are a client mistake anyway.
EARLIEST, LATEST = date(1700, 1, 1), date(2199, 12, 31)
DOWNLOAD_STATUSES = ("ok", "failed", "not_configured", "circuit_open", "write_failed")
# How every route takes its query: strict (unknown parameters are a 400, as is any bad value).
QUERY = {"location": "query", "unknown": ma.RAISE, "error_status_code": 400}


def describe(text: str, **extra) -> dict:
    return {"metadata": {"description": text, **extra}}


class StrictQuery(ma.Schema):
    class Meta:
        unknown = ma.RAISE


def _limit(default: int, most: int, noun: str = "Rows") -> fields.Integer:
    return fields.Integer(
        load_default=default,
        validate=validate.Range(1, most),
        **describe(f"{noun} per page (default {default}, at most {most})."),
    )


def _offset(most: int, noun: str = "Rows") -> fields.Integer:
    return fields.Integer(
        load_default=0,
        validate=validate.Range(0, most),
        **describe(f"{noun} to skip; the next link of a page carries the next offset."),
    )


class PageArgs(StrictQuery):
    format = fields.String(
        validate=validate.OneOf(FORMATS),
        **describe("Response format; overrides the Accept header (default: json)."),
    )
    limit = _limit(DEFAULT_LIMIT, MAX_LIMIT)
    offset = _offset(MAX_OFFSET)


class LatestArgs(PageArgs):
    symbols = DelimitedList(
        fields.String(validate=validate.Regexp(KEY_PATTERN, error="not an instrument key")),
        validate=validate.Length(1, MAX_SYMBOLS),
        **describe(
            f"Comma-separated instrument keys (symbols, series ids, tenors…; case-insensitive, at most "
            f"{MAX_SYMBOLS}); only these. An unknown key is a 400."
        ),
    )


class WindowArg(ma.Schema):
    window = fields.Integer(
        validate=validate.Range(2, 1000),
        **describe("Only correlations over this many trading days (the station computes 60)."),
    )


class CorrelationLatestArgs(LatestArgs, WindowArg):
    pass


class HistoryArgs(PageArgs):
    start = fields.Date(
        validate=validate.Range(EARLIEST, LATEST),
        **describe("First date (YYYY-MM-DD, inclusive); default: the oldest stored."),
    )
    end = fields.Date(
        validate=validate.Range(EARLIEST, LATEST),
        **describe("Last date (YYYY-MM-DD, inclusive); default: the newest stored."),
    )
    interval = fields.String(
        load_default="daily",
        validate=validate.OneOf(INTERVALS),
        **describe(
            "daily: every stored observation; weekly (ISO weeks, Monday-Sunday) or monthly (calendar months): "
            "one row per period, dated by its last observation — bars take the first open, highest high, "
            "lowest low, last close and summed volume; other series the period's last observation."
        ),
    )
    order = fields.String(
        load_default="asc",
        validate=validate.OneOf(("asc", "desc")),
        **describe("asc: oldest first (default); desc: newest first."),
    )

    @validates_schema
    def _start_before_end(self, data, **_kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ma.ValidationError(f"start ({data['start']}) is after end ({data['end']})", field_name="start")


class CorrelationHistoryArgs(HistoryArgs, WindowArg):
    pass


class SourcesArgs(PageArgs):
    pass


class DownloadLogArgs(PageArgs):
    source = fields.String(
        validate=validate.Regexp(r"^[a-z0-9_]{1,64}$", error="not a source id"),
        **describe("Only downloads from this source id (e.g. fred_graph)."),
    )
    dataset = fields.String(
        validate=validate.Regexp(r"^[a-z_]{1,64}$", error="not a dataset name"),
        **describe("Only downloads of this dataset (e.g. market_indices)."),
    )
    status = fields.String(
        validate=validate.OneOf(DOWNLOAD_STATUSES),
        **describe("Only downloads that ended so."),
    )


class HistoryDepthArgs(PageArgs):
    dataset = fields.String(
        validate=validate.Regexp(r"^[a-z_]{1,64}$", error="not a dataset name"),
        **describe("Only the series of this dataset (e.g. crypto_prices)."),
    )


class NoArgs(StrictQuery):
    pass


class SearchArgs(PageArgs):
    q = fields.String(
        required=True,
        validate=[
            validate.Length(1, MAX_QUERY, error=f"give 1 to {MAX_QUERY} characters"),
            validate.Regexp(QUERY_PATTERN, error="letters, digits, spaces and . , : ; ' & / ( ) + ^ = _ # % - only"),
        ],
        **describe(
            "What to look for: a symbol, series id, name or title, case-insensitive (``gold``, ``dgs10``, "
            "``us dollar``). Each word matches the start of a word; an exact symbol comes first."
        ),
    )
    limit = _limit(SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, "Results")
    offset = _offset(SEARCH_MAX_OFFSET, "Results")


# --- responses -------------------------------------------------------------------------------


class ErrorSchema(ma.Schema):
    error = fields.String(required=True, **describe("What is wrong, in a sentence."))
    code = fields.Integer(required=True, **describe("The HTTP status code."))
    status = fields.String(required=True, **describe("The HTTP status name."))
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        **describe("Per query parameter, what is wrong with it (400 only)."),
    )


def freshness_fields(as_of: type[fields.Field] = fields.Date) -> dict:
    return {
        "as_of": as_of(
            allow_none=True, **describe("Newest observation in the whole result (every page); null when empty.")
        ),
        "last_update": fields.DateTime(
            allow_none=True, **describe("When the station last wrote this data (UTC); null before the first write.")
        ),
        "sources": fields.List(fields.String(), **describe("Where the rows of the result came from.")),
        "version": fields.Integer(**describe("The dataset's version; it moves with every write.")),
    }


def page_fields(item_schema: type[ma.Schema]) -> dict:
    return {
        "total": fields.Integer(**describe("Rows in the whole result.")),
        "count": fields.Integer(**describe("Rows on this page.")),
        "limit": fields.Integer(),
        "offset": fields.Integer(),
        "next": fields.String(allow_none=True, **describe("URL of the next page; null on the last.")),
        "items": fields.List(fields.Nested(item_schema)),
    }


def _column_field(ds: ApiDataset, column: str, required: bool = False) -> fields.Field:
    kinds = {"number": fields.Float, "integer": fields.Integer, "date": fields.Date, "string": fields.String}
    field = kinds[ds.column_type(column)]
    doc = ds.column_doc(column)
    return field(required=required, allow_none=not required, **(describe(doc) if doc else {}))


def _schema_name(ds: ApiDataset, suffix: str) -> str:
    return "".join(part.title() for part in f"{ds.group}-{ds.slug}".split("-")) + suffix


def latest_item_columns(ds: ApiDataset) -> list[str]:
    change = ["previous", "change", "change_pct"] if ds.value_column else []
    quality = ["quality"] if ds.flagged else []
    return [*ds.identity, *(["name"] if ds.named else []), "date", *ds.data_columns, *change, "source", *quality]


def history_item_columns(ds: ApiDataset) -> list[str]:
    return ["date", *ds.extra_identity, *ds.data_columns, "source", *(["quality"] if ds.flagged else [])]


QUALITY_DOC = (
    'The row\'s quality flags, e.g. "jump (confirmed)": the rules it tripped (jump, stale, gap, '
    "non_positive) and the second provider's verdict (open, confirmed, disputed, unchecked); "
    "null when none. /data-quality lists them."
)


def latest_schema(ds: ApiDataset) -> type[ma.Schema]:
    """The body of ``/api/<group>/<slug>``: the newest row of every series."""
    item = {c: _column_field(ds, c, required=True) for c in ds.identity}
    if ds.named:
        item["name"] = fields.String(allow_none=True, **describe("The catalog's name for it."))
    item["date"] = fields.Date(required=True, **describe("The newest observation's date (UTC)."))
    item.update({c: _column_field(ds, c) for c in ds.data_columns})
    if ds.value_column:
        item["previous"] = fields.Float(allow_none=True, **describe(f"The {ds.value_column} before it."))
        item["change"] = fields.Float(allow_none=True, **describe("Latest minus previous."))
        item["change_pct"] = fields.Float(allow_none=True, **describe("The change in % of previous."))
    item["source"] = fields.String(required=True, **describe("The provider that supplied the row."))
    if ds.flagged:
        item["quality"] = fields.String(allow_none=True, **describe(QUALITY_DOC))
    item_schema = ma.Schema.from_dict(item, name=_schema_name(ds, "LatestItem"))
    body = {
        "dataset": fields.String(required=True),
        "title": fields.String(required=True),
        **freshness_fields(),
        "demo": fields.Boolean(**describe("Whether the data is the synthetic demo set.")),
        **page_fields(item_schema),
    }
    return ma.Schema.from_dict(body, name=_schema_name(ds, "Latest"))


def history_schema(ds: ApiDataset) -> type[ma.Schema]:
    """The body of ``/api/<group>/<slug>/<key>``: one series' rows over time."""
    item = {"date": fields.Date(required=True, **describe("The observation's date (UTC)."))}
    item.update({c: _column_field(ds, c, required=True) for c in ds.extra_identity})
    item.update({c: _column_field(ds, c) for c in ds.data_columns})
    item["source"] = fields.String(required=True)
    if ds.flagged:
        item["quality"] = fields.String(allow_none=True, **describe(QUALITY_DOC))
    item_schema = ma.Schema.from_dict(item, name=_schema_name(ds, "HistoryItem"))
    body = {
        "dataset": fields.String(required=True),
        "title": fields.String(required=True),
        **{key: fields.String(required=True) for key in ds.path_keys},
        **({"name": fields.String(allow_none=True)} if ds.named else {}),
        "interval": fields.String(validate=validate.OneOf(INTERVALS)),
        "order": fields.String(),
        "start": fields.Date(allow_none=True),
        "end": fields.Date(allow_none=True),
        **({"window": fields.Integer(allow_none=True)} if "window_days" in ds.extra_identity else {}),
        **freshness_fields(),
        "demo": fields.Boolean(),
        **page_fields(item_schema),
    }
    return ma.Schema.from_dict(body, name=_schema_name(ds, "History"))


class SearchItem(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), **describe(", ".join(KINDS) + "."))
    label = fields.String(required=True, **describe("The name: the catalog's label, a dashboard's or panel's title."))
    detail = fields.String(required=True, **describe("What and where it is: dataset and key, or the dashboard."))
    href = fields.String(
        required=True,
        **describe("Its page: /instrument/<symbol>, /series/<id>, a dashboard's path, or path#panel-<id>."),
    )
    key = fields.String(allow_none=True, **describe("The instrument's key (null for dashboards and panels)."))
    dataset = fields.String(allow_none=True, **describe("The dataset holding it (null for dashboards and panels)."))


SearchSchema = ma.Schema.from_dict(
    {
        "query": fields.String(required=True, **describe("The query as given.")),
        "words": fields.List(fields.String(), **describe("The words searched for (lower-case letters and digits).")),
        **freshness_fields(fields.DateTime),
        **page_fields(SearchItem),
    },
    name="Search",
)
