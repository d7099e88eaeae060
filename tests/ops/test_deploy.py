"""The deployment files pass their tools: promtool, hadolint, the compose
specification's schema, kustomize and kubeconform with Kubernetes, KEDA and
prometheus-operator schemas."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from stream_workers.config.models import load_config

from .conftest import ROOT, OpsTools

K8S_VERSION = "v1.33.0"
KEDA = "github.com/kedacore/keda/v2@v2.18.3/config/crd/bases"
PROM_OPERATOR = (
    "github.com/prometheus-operator/prometheus-operator@v0.85.0/"
    "example/prometheus-operator-crd-full"
)
COMPOSE_SCHEMA = (
    "github.com/compose-spec/compose-go/v2@v2.16.2/schema/compose-spec.json"
)
CORE_KINDS = ("configmap-v1", "service-v1", "deployment-apps-v1", "statefulset-apps-v1")


def run(*command: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_prometheus_rules_and_config_pass_promtool(ops_tools: OpsTools) -> None:
    prometheus = ROOT / "deploy/prometheus"

    rules = run("promtool", "check", "rules", prometheus / "rules/driftline.yml")
    config = run("promtool", "check", "config", "prometheus.yml", cwd=prometheus)

    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert "SUCCESS: 10 rules found" in rules.stdout
    assert config.returncode == 0, config.stdout + config.stderr


def test_dockerfile_passes_hadolint(ops_tools: OpsTools) -> None:
    result = run(
        ops_tools.tool("hadolint"), "--failure-threshold", "info", "Dockerfile"
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_with_a_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text()

    assert "USER 10001:10001" in text
    assert "HEALTHCHECK" in text and "/healthz" in text


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_validates_against_the_compose_specification(
    ops_tools: OpsTools,
) -> None:
    schema = json.loads((ops_tools.gomod / COMPOSE_SCHEMA).read_text())

    errors = list(jsonschema.Draft7Validator(schema).iter_errors(_compose()))

    assert [e.message for e in errors] == []


def test_compose_services_reference_what_exists() -> None:
    compose = _compose()
    services = compose["services"]

    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), (name, source)
            else:
                assert source in compose["volumes"], (name, source)
    workers = {"join", "concept", "data", "retrain"}
    assert workers <= set(services)
    assert services["replay"]["profiles"] == ["replay"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    for port in [p for s in services.values() for p in s.get("ports", [])]:
        assert port.startswith("127.0.0.1:"), port


def test_shipped_yaml_configurations_are_valid() -> None:
    for path in (ROOT / "deploy/driftline.yaml", ROOT / "k8s/base/driftline.yaml"):
        load_config(path)
    assert (ROOT / "deploy/driftline.yaml").read_text() == (
        ROOT / "k8s/base/driftline.yaml"
    ).read_text()


def _deny_unknown(schema: Any) -> Any:
    """Strict CRD schemas, as kubeconform's converter makes them."""
    if isinstance(schema, dict):
        for value in schema.values():
            _deny_unknown(value)
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        for item in schema:
            _deny_unknown(item)
    return schema


@pytest.fixture(scope="module")
def schema_dir(ops_tools: OpsTools, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kubernetes schemas with local references, plus the CRDs' schemas."""
    out = tmp_path_factory.mktemp("schemas")
    bundled = (
        ops_tools.python
        / f"kubernetes_validate/kubernetes-json-schema/{K8S_VERSION}-local-strict"
    )
    for name in (*CORE_KINDS, "_definitions"):
        text = (bundled / f"{name}.json").read_text()
        text = text.replace(
            '"/api/_definitions.json', f'"file://{out}/_definitions.json'
        )
        (out / f"{name}.json").write_text(text)
    crds = [
        *(ops_tools.gomod / KEDA).glob("keda.sh_*.yaml"),
        ops_tools.gomod / PROM_OPERATOR / "monitoring.coreos.com_podmonitors.yaml",
    ]
    for path in crds:
        crd = yaml.safe_load(path.read_text())
        kind = crd["spec"]["names"]["kind"].lower()
        for version in crd["spec"]["versions"]:
            schema = _deny_unknown(version["schema"]["openAPIV3Schema"])
            (out / f"{kind}_{version['name']}.json").write_text(json.dumps(schema))
    return out


def _kubeconform(ops_tools: OpsTools, schemas: Path, manifest: Path) -> Any:
    return run(
        ops_tools.tool("kubeconform"),
        "-strict",
        "-summary",
        "-schema-location",
        f"{schemas}/{{{{ .ResourceKind }}}}{{{{ .KindSuffix }}}}.json",
        "-schema-location",
        f"{schemas}/{{{{ .ResourceKind }}}}_{{{{ .ResourceAPIVersion }}}}.json",
        manifest,
    )


@pytest.mark.parametrize("target", ["base", "overlays/example"])
def test_kustomize_output_validates_against_kubernetes_and_crd_schemas(
    ops_tools: OpsTools, schema_dir: Path, tmp_path: Path, target: str
) -> None:
    built = run(ops_tools.tool("kustomize"), "build", ROOT / "k8s" / target)
    assert built.returncode == 0, built.stderr
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(built.stdout)

    result = _kubeconform(ops_tools, schema_dir, manifest)

    assert result.returncode == 0, result.stdout + result.stderr
    kinds = sorted(d["kind"] for d in yaml.safe_load_all(built.stdout))
    assert {"StatefulSet", "Deployment", "PodMonitor", "ScaledObject"} <= set(kinds)
    assert "Errors: 0" in result.stdout and "Skipped: 0" in result.stdout


def test_kubeconform_rejects_a_broken_manifest(
    ops_tools: OpsTools, schema_dir: Path, tmp_path: Path
) -> None:
    built = run(ops_tools.tool("kustomize"), "build", ROOT / "k8s/base").stdout
    docs = list(yaml.safe_load_all(built))
    for doc in docs:
        if doc["kind"] == "ScaledObject":
            doc["spec"]["maxReplicaCount"] = "four"
        if doc["kind"] == "Deployment":
            doc["spec"]["template"]["spec"]["containers"][0]["probe"] = {}
    manifest = tmp_path / "broken.yaml"
    manifest.write_text(yaml.safe_dump_all(docs))

    result = _kubeconform(ops_tools, schema_dir, manifest)

    assert result.returncode != 0
    assert "ScaledObject" in result.stdout and "Deployment" in result.stdout


def _workloads(target: str, ops_tools: OpsTools) -> list[dict[str, Any]]:
    built = run(ops_tools.tool("kustomize"), "build", ROOT / "k8s" / target).stdout
    return [
        d
        for d in yaml.safe_load_all(built)
        if d["kind"] in ("Deployment", "StatefulSet")
    ]


def test_every_worker_has_probes_limits_and_a_read_only_non_root_container(
    ops_tools: OpsTools,
) -> None:
    workloads = _workloads("base", ops_tools)

    assert {w["metadata"]["name"] for w in workloads} == {
        "driftline-join",
        "driftline-concept",
        "driftline-data",
        "driftline-retrain",
    }
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            assert container[probe]["httpGet"]["port"] == "metrics"
        assert {"requests", "limits"} <= set(container["resources"])
        env = {e["name"]: e for e in container["env"]}
        assert env["DRIFTLINE_INSTANCE_ID"]["valueFrom"]["fieldRef"] == {
            "fieldPath": "metadata.name"
        }
        assert "secretKeyRef" in env["DRIFTLINE_KAFKA_SASL_PASSWORD"]["valueFrom"]


def test_join_is_a_statefulset_with_its_store_on_a_claimed_volume(
    ops_tools: OpsTools,
) -> None:
    join = next(
        w for w in _workloads("base", ops_tools) if "join" in w["metadata"]["name"]
    )

    assert join["kind"] == "StatefulSet"
    claims = [c["metadata"]["name"] for c in join["spec"]["volumeClaimTemplates"]]
    mounts = join["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    state_mount = next(m for m in mounts if m["name"] in claims)
    env = {
        e["name"]: e.get("value")
        for e in join["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["DRIFTLINE_STATE_DIR"].startswith(state_mount["mountPath"])


@pytest.mark.parametrize("target", ["base", "overlays/example"])
def test_scaled_objects_are_capped_at_the_partition_count(
    ops_tools: OpsTools, target: str
) -> None:
    built = run(ops_tools.tool("kustomize"), "build", ROOT / "k8s" / target).stdout
    docs = list(yaml.safe_load_all(built))

    env = next(d for d in docs if d["metadata"]["name"].startswith("driftline-env"))
    scaled = [d for d in docs if d["kind"] == "ScaledObject"]

    partitions = int(env["data"]["DRIFTLINE_TOPIC_PARTITIONS"])
    assert len(scaled) == 4
    for obj in scaled:
        assert obj["spec"]["maxReplicaCount"] == partitions
        assert obj["spec"]["triggers"][0]["type"] == "kafka"
