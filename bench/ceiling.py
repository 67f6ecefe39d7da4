"""The ceiling for ``python -m bench.api_load``: a trivial Flask app that answers one path with
fixed bytes (the real endpoint's response, captured before the run) and nothing else — the
fastest this server stack (gunicorn, the same workers and threads, Flask, flask-compress's gzip
as the station uses it) can go.

    SPARTAN_CEILING_BODY=file SPARTAN_CEILING_PATH=/api/market/indices gunicorn bench.ceiling:app
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response
from flask_compress import Compress

BODY = Path(os.environ["SPARTAN_CEILING_BODY"]).read_bytes()
PATH = os.environ.get("SPARTAN_CEILING_PATH", "/api/market/indices")
CONTENT_TYPE = os.environ.get("SPARTAN_CEILING_CONTENT_TYPE", "application/json")

app = Flask(__name__)
Compress(app)  # the station gzips its responses the same way (dash compress=True)


@app.get(PATH)
def fixed() -> Response:
    return Response(BODY, content_type=CONTENT_TYPE)
