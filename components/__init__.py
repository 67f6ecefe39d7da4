"""Reusable Dash pieces: shell, figures, grids, KPI cards, freshness badges, empty states."""
