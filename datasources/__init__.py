"""Connectors: build a request (pure) → fetch through the shared HTTP client → parse (pure)."""
