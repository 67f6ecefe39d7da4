"""The wire-format helpers every provider module shares."""

from __future__ import annotations

import pytest

from datasources.wire import split_pair


def test_pairs_must_be_six_letters():
    assert split_pair("eurusd") == ("EUR", "USD")
    with pytest.raises(ValueError, match="not a currency pair"):
        split_pair("EUR/USD")
