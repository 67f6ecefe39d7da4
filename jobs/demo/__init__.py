"""`python -m jobs demo`: clearly labelled synthetic data for every catalogued instrument, so the
station can be tried with no internet. Rows carry ``source = "demo"`` and their datasets are
flagged in ``dataset_versions`` (the web shows a DEMO ribbon); `--remove` takes them out again.

Every series is drawn from an anchor of its own (:class:`Spec`): where the instrument traded
or stood late in 2025, in its real unit (payrolls in thousands of persons, retail sales in
millions of dollars, yields and spreads in percent), at its real frequency (a monthly series
has one value a month, dated on the first like FRED's), how much it moves and how far it strays.
A path ends at its anchor and goes back five years along a gentle trend (``drift``), wandering
around it as a mean-reverting deviation of bounded size (``band``), so no series drifts into a
level its instrument never had. Related series share factors, and curves and spreads are built
so that they keep their order at every date:

- the Treasury curve from a short rate and the 10-year (the long end above the 10-year);
- credit spreads from one credit factor as a chain of ratios above 1 (AAA < A < BBB < BB < B < CCC,
  IG and HY blends of their ratings), wider when equities fall;
- policy rates as a target range moved in 25 bp steps at meetings (EFFR, SOFR, IORB, prime);
- FX crosses from one rate per currency (EUR/JPY = EUR/USD × USD/JPY), ETFs from their indices,
  FRED copies of market series (SP500, DGS10, DEXJPUS, BAMLH0A0HYM2) from the same paths.

Values are deterministic per instrument (seeded by its key); they are not market data.
"""

from jobs.demo.seed import remove_demo, seed_demo

__all__ = ["remove_demo", "seed_demo"]
