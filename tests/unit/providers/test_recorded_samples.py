"""Recorded samples (``python -m jobs check-sources --record DIR``: real answers of the sources,
keys redacted) run through their connector's parser again, and validated as a download would
be: each must give a non-empty, valid frame.

    SPARTAN_RECORDED_SAMPLES=DIR pytest tests/unit/providers/test_recorded_samples.py

Without the variable the test is skipped, saying so. tests/integration/test_check_sources.py
runs this file for real in every suite run, over samples recorded from the local fixture server.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jobs.check_sources import recordings, verify_recording

SAMPLES_ENV = "SPARTAN_RECORDED_SAMPLES"


def _samples() -> list:
    directory = os.environ.get(SAMPLES_ENV)
    if not directory:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{SAMPLES_ENV} is not set"))]
    found = recordings(Path(directory))
    if not found:  # a directory without recordings is a mistake, not a pass
        return [pytest.param(Path(directory), id="no-recordings")]
    return [pytest.param(path, id=path.name.removesuffix(".meta.json")) for path in found]


@pytest.mark.parametrize("meta", _samples())
def test_a_recorded_sample_parses_to_a_valid_frame(meta):
    assert meta.is_file(), f"{meta}: no recorded samples (*.meta.json) here"
    frame = verify_recording(meta)
    assert len(frame) > 0
