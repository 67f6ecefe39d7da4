"""Bodies for the parser tests: JSON documents as bytes, and the real recorded responses of
../shared/samples/real (a test that needs one is skipped where that folder is absent)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import SHARED_SAMPLES


def body(doc) -> bytes:
    return json.dumps(doc).encode()


def sample(path: str) -> bytes:
    full = SHARED_SAMPLES / path
    if not full.exists():
        pytest.skip("../shared/samples/real is not present")
    return full.read_bytes()


def day(frame: pd.DataFrame, iso: str) -> pd.Series:
    return frame.set_index("ts").loc[pd.Timestamp(iso, tz="UTC")]
