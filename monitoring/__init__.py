"""Configuration of the monitoring stack (Prometheus, Alertmanager, Grafana) and its generators."""
