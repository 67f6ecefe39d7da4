"""Spartan theme tokens shared by figures and components (CSS mirrors them in assets/)."""

NAVY = "#0f2742"
NAVY_DARK = "#0a1c30"
CARD = "#13304f"
RED = "#c83737"
RED_LIGHT = "#e04e4e"
RED_DARK = "#a02828"
SUCCESS = "#00ff88"
DANGER = "#ff5252"
TEXT = "#ffffff"
TEXT_SECONDARY = "#b0b8c8"
GRID_LINE = "rgba(255,255,255,0.08)"
FONT_BODY = "Inter, system-ui, sans-serif"
FONT_MONO = "'Source Code Pro', ui-monospace, monospace"

# Ordered palette for multi-series charts: red first, then colours that stay readable on navy.
SERIES_COLORS = ("#e04e4e", "#4fc3f7", "#ffd166", "#00ff88", "#b39ddb", "#ff8a65", "#90a4ae")

# Quality-flag markers on charts, by the second provider's verdict (datasources/quality.py).
WARNING = "#ffd166"
FLAG_COLORS = {"disputed": DANGER, "open": WARNING, "unchecked": WARNING, "confirmed": TEXT_SECONDARY}
