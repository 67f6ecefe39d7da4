"""Analytics computed by the sidecar after each refresh: pure computations and their runner."""
