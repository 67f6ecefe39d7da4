"""The names ``pages/panels/export.py`` (owned by the API restructuring) imports from the old
markets module, whose parts moved to ``pages/panels/fx.py``, ``pages/panels/instrument.py``,
``components/picker.py`` and ``pages/detail.py``. Remove once export.py imports them from there."""

from pages.detail import detail_context, find_instrument  # noqa: F401
from pages.panels.instrument import instrument_data  # noqa: F401
