"""deploy/kubernetes/station.yaml: every object valid against the Kubernetes schemas
(kubernetes-validate, which ships them: no network), strictly (no unknown fields), and shaped
as docs/DEPLOYMENT.md says: N web replicas probed on /health/ready and /health/live, exactly
one scheduler that stops before its successor starts."""

from __future__ import annotations

import copy
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

MANIFESTS = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes" / "station.yaml"
KUBERNETES_VERSION = "1.37.0"


def documents() -> list[dict]:
    return [doc for doc in yaml.safe_load_all(MANIFESTS.read_text()) if doc]


def by_name(kind: str, name: str) -> dict:
    return next(d for d in documents() if d["kind"] == kind and d["metadata"]["name"] == name)


@pytest.mark.parametrize("doc", documents(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_every_object_is_valid_against_the_kubernetes_schemas(doc):
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_validator_refuses_a_broken_object():
    """So the test above can fail: a wrong type and an unknown field are both refused."""
    web = copy.deepcopy(by_name("Deployment", "spartan-web"))
    web["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)
    web = copy.deepcopy(by_name("Deployment", "spartan-web"))
    web["spec"]["template"]["spec"]["containers"][0]["healthCheck"] = "/health"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


def test_web_replicas_are_probed_and_one_scheduler_runs_at_a_time():
    web = by_name("Deployment", "spartan-web")["spec"]
    container = web["template"]["spec"]["containers"][0]
    assert web["replicas"] >= 2
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    scheduler = by_name("Deployment", "spartan-scheduler")["spec"]
    assert scheduler["replicas"] == 1 and scheduler["strategy"]["type"] == "Recreate"
    service = by_name("Service", "spartan-web")["spec"]
    assert service["selector"] == web["selector"]["matchLabels"]
