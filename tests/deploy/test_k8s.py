"""Kubernetes manifests: base and production overlay render, validate, and hold the rules."""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
# Every service the code base has: each services/<name>/ with a pyproject.toml.
SERVICES = sorted(p.parent.name for p in (REPO / "services").glob("*/pyproject.toml"))
PORTS = {"intake": 8001, "routing": 8002, "supervision": 8003, "reporting": 8004, "liaison": 8005}
# Behind the front door (deploy/k8s/base/ingress.yaml): the public pages, and the staff
# APIs of routing and supervision (tokens required).
PUBLIC = {"intake", "reporting", "liaison", "routing", "supervision"}
KUBERNETES_VERSION = "1.30.0"
LAYERS = {"base": K8S / "base", "production": K8S / "overlays" / "production"}

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def rendered(k8s: ModuleType) -> dict[str, list[Manifest]]:
    return {layer: k8s.render(path) for layer, path in LAYERS.items()}


@pytest.fixture(scope="module")
def base(rendered: dict[str, list[Manifest]]) -> list[Manifest]:
    return rendered["base"]


@pytest.fixture(scope="module")
def production(rendered: dict[str, list[Manifest]]) -> list[Manifest]:
    return rendered["production"]


def pod_specs(manifests: list[Manifest], k8s: ModuleType) -> list[tuple[str, Manifest]]:
    out = []
    for m in manifests:
        spec = k8s.pod_spec(m)
        if spec is not None:
            out.append((f"{m['kind']}/{m['metadata']['name']}", spec))
    return out


def env_map(container: Manifest) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


@pytest.mark.parametrize("layer", LAYERS)
def test_every_manifest_is_valid_for_the_pinned_kubernetes_version(
    rendered: dict[str, list[Manifest]], layer: str
) -> None:
    for manifest in rendered[layer]:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("layer", LAYERS)
def test_every_namespaced_manifest_lands_in_the_minyi_namespace(
    rendered: dict[str, list[Manifest]], layer: str
) -> None:
    for m in rendered[layer]:
        if m["kind"] == "Namespace":
            assert m["metadata"]["name"] == "minyi"
            assert m["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        else:
            assert m["metadata"]["namespace"] == "minyi", m["metadata"]["name"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("layer", LAYERS)
def test_the_python_renderer_agrees_with_kubectl_kustomize(
    rendered: dict[str, list[Manifest]], layer: str
) -> None:
    result = subprocess.run(
        ["kubectl", "kustomize", str(LAYERS[layer])], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    theirs = {(m["kind"], m["metadata"]["name"]): m for m in yaml.safe_load_all(result.stdout) if m}
    ours = {(m["kind"], m["metadata"]["name"]): m for m in rendered[layer]}
    assert ours.keys() == theirs.keys()
    for key, manifest in ours.items():
        assert manifest == theirs[key], key


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_deployment_service_autoscaler_budget_and_migration_job(
    rendered: dict[str, list[Manifest]], k8s: ModuleType, layer: str, name: str
) -> None:
    manifests = rendered[layer]
    deployment = k8s.find(manifests, "Deployment", name)
    service = k8s.find(manifests, "Service", name)
    hpa = k8s.find(manifests, "HorizontalPodAutoscaler", name)
    pdb = k8s.find(manifests, "PodDisruptionBudget", name)
    job = k8s.find(manifests, "Job", f"{name}-migrate")

    selector = deployment["spec"]["selector"]["matchLabels"]
    template_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= template_labels.items()
    assert service["spec"]["selector"] == selector
    assert service["spec"]["ports"][0]["port"] == PORTS[name]
    assert pdb["spec"]["selector"]["matchLabels"] == selector
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": name,
    }
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert (
        hpa["spec"]["minReplicas"] <= deployment["spec"]["replicas"] <= hpa["spec"]["maxReplicas"]
    )
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["serve", name]
    migrate = job["spec"]["template"]["spec"]["containers"][0]
    assert migrate["args"] == ["migrate", name]
    assert migrate["image"] == container["image"], "migrate with the image being rolled out"
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # A job's pods do not match the Deployment's selector (they would count in the PDB).
    assert not selector.items() <= job["spec"]["template"]["metadata"]["labels"].items()


@pytest.mark.parametrize("name", SERVICES)
def test_probes_hit_healthz_and_readyz_on_the_service_port(
    base: list[Manifest], k8s: ModuleType, name: str
) -> None:
    container = k8s.find(base, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]
    port = container["ports"][0]
    assert port["containerPort"] == PORTS[name]
    assert env_map(container)["MINYI_HTTP_PORT"] == str(PORTS[name])
    probes = {
        kind: container[kind]["httpGet"]
        for kind in ("startupProbe", "livenessProbe", "readinessProbe")
    }
    assert probes["livenessProbe"]["path"] == "/healthz"
    assert probes["startupProbe"]["path"] == "/healthz"
    assert probes["readinessProbe"]["path"] == "/readyz"
    for probe in probes.values():
        assert probe["port"] in (port["name"], PORTS[name])


@pytest.mark.parametrize("layer", LAYERS)
def test_every_container_runs_non_root_read_only_without_privileges(
    rendered: dict[str, list[Manifest]], k8s: ModuleType, layer: str
) -> None:
    for where, spec in pod_specs(rendered[layer], k8s):
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert spec.get("automountServiceAccountToken") is False, where
        for container in spec["containers"]:
            ctx = container["securityContext"]
            assert ctx["runAsNonRoot"] is True, where
            assert ctx["readOnlyRootFilesystem"] is True, where
            assert ctx["allowPrivilegeEscalation"] is False, where
            assert ctx["capabilities"]["drop"] == ["ALL"], where
            assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}, where


@pytest.mark.parametrize("name", SERVICES)
def test_minyi_pods_run_as_uid_10001_with_writable_emptydirs(
    base: list[Manifest], k8s: ModuleType, name: str
) -> None:
    for kind, resource in (("Deployment", name), ("Job", f"{name}-migrate")):
        spec = k8s.pod_spec(k8s.find(base, kind, resource))
        assert spec["securityContext"]["runAsUser"] == 10001
        volumes = {v["name"]: v for v in spec["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in spec["containers"][0]["volumeMounts"]}
        for path in ("/var/lib/minyi", "/tmp"):
            assert "emptyDir" in volumes[mounts[path]], (resource, path)


@pytest.mark.parametrize("layer", LAYERS)
def test_every_container_has_resource_requests_and_limits(
    rendered: dict[str, list[Manifest]], k8s: ModuleType, layer: str
) -> None:
    for where, spec in pod_specs(rendered[layer], k8s):
        for container in spec["containers"]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys(), where
            assert {"cpu", "memory"} <= resources["limits"].keys(), where


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_reads_its_own_settings_and_secrets(
    base: list[Manifest], k8s: ModuleType, name: str
) -> None:
    container = k8s.find(base, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]
    env = env_map(container)
    assert container["envFrom"] == [{"configMapRef": {"name": "minyi-config"}}]
    assert env["MINYI_NATS_USER"] == name
    assert env["OTEL_SERVICE_NAME"] == f"minyi-{name}"
    secret_keys = {
        k: v["secretKeyRef"]["key"]
        for k, v in env.items()
        if isinstance(v, dict) and "secretKeyRef" in v
    }
    assert secret_keys["MINYI_DATABASE_URL"] == f"{name}-database-url"
    assert secret_keys["MINYI_NATS_PASSWORD"] == f"{name}-nats-password"
    others = [s for s in SERVICES if s != name]
    assert not any(key.startswith(tuple(f"{o}-" for o in others)) for key in secret_keys.values())
    intake_keys = {"MINYI_INTAKE_PII_KEYS", "MINYI_INTAKE_INDEX_KEY", "MINYI_INTAKE_API_KEYS"}
    assert (intake_keys <= secret_keys.keys()) == (name == "intake")
    liaison_keys = {"MINYI_LIAISON_PII_KEYS", "MINYI_LIAISON_INDEX_KEY"}
    assert (liaison_keys <= secret_keys.keys()) == (name == "liaison")
    # One blind-index key for both (one citizen, one citizen_ref), never two copies.
    if name in ("intake", "liaison"):
        assert secret_keys[f"MINYI_{name.upper()}_INDEX_KEY"] == "citizen-index-key"
    secret = k8s.find(base, "Secret", "minyi-secrets")
    assert set(secret_keys.values()) <= secret["stringData"].keys()


def test_secret_template_holds_placeholders_only(base: list[Manifest], k8s: ModuleType) -> None:
    secret = k8s.find(base, "Secret", "minyi-secrets")
    for key, value in secret["stringData"].items():
        assert "REPLACE_ME" in value, key


def test_shared_settings_point_at_the_nats_cluster_and_reference_dir(
    base: list[Manifest], k8s: ModuleType
) -> None:
    config = k8s.find(base, "ConfigMap", "minyi-config")["data"]
    assert config["MINYI_ENV"] == "production"
    assert config["MINYI_HTTP_HOST"] == "0.0.0.0"
    assert config["MINYI_DATA_DIR"] == "/var/lib/minyi"
    assert config["MINYI_STREAM_REPLICAS"] == "1"
    urls = config["MINYI_NATS_URL"].split(",")
    assert urls == [f"nats://nats-{i}.nats-headless.minyi.svc.cluster.local:4222" for i in range(3)]
    k8s.find(base, "ConfigMap", "minyi-reference")
    for name in SERVICES:
        spec = k8s.pod_spec(k8s.find(base, "Deployment", name))
        volumes = {v["name"]: v for v in spec["volumes"]}
        mount = next(
            m
            for m in spec["containers"][0]["volumeMounts"]
            if m["mountPath"] == config["MINYI_REFERENCE_DIR"]
        )
        assert mount["readOnly"] is True
        assert volumes[mount["name"]]["configMap"]["name"] == "minyi-reference"


def test_nats_runs_as_a_three_node_jetstream_statefulset_with_volumes(
    base: list[Manifest], k8s: ModuleType
) -> None:
    sts = k8s.find(base, "StatefulSet", "nats")
    assert sts["spec"]["replicas"] == 3
    assert sts["spec"]["serviceName"] == "nats-headless"
    headless = k8s.find(base, "Service", "nats-headless")
    assert headless["spec"]["clusterIP"] == "None"
    container = sts["spec"]["template"]["spec"]["containers"][0]
    assert container["image"].startswith("nats:")
    assert container["args"] == ["-c", "/etc/nats/nats.conf"]
    assert {p["containerPort"] for p in container["ports"]} == {4222, 6222, 8222}
    claim = sts["spec"]["volumeClaimTemplates"][0]
    assert claim["metadata"]["name"] == "data"
    assert {"name": "data", "mountPath": "/data"} in container["volumeMounts"]
    env = env_map(container)
    for name in SERVICES:
        assert (
            env[f"{name.upper()}_NATS_PASSWORD"]["secretKeyRef"]["key"] == f"{name}-nats-password"
        )
    assert env["POD_NAME"]["fieldRef"]["fieldPath"] == "metadata.name"
    k8s.find(base, "PodDisruptionBudget", "nats")


def test_nats_configmap_carries_the_deploy_nats_files_verbatim(
    base: list[Manifest], k8s: ModuleType
) -> None:
    data = k8s.find(base, "ConfigMap", "nats-config")["data"]
    for key, filename in k8s.NATS_CONFIG_FILES.items():
        expected = (REPO / "deploy" / "nats" / filename).read_text(encoding="utf-8")
        assert data[key] == expected, (
            f"{key} differs from deploy/nats/{filename}: run "
            "`python tests/deploy/k8s_render.py --sync-nats-config`"
        )


def policies(manifests: list[Manifest]) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == "NetworkPolicy"}


def selects(selector: Manifest, labels: dict[str, str]) -> bool:
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions", []):
        present = expr["key"] in labels
        value = labels.get(expr["key"])
        op = expr["operator"]
        if (op == "In" and value not in expr["values"]) or (
            op == "NotIn" and value in expr["values"]
        ):
            return False
        if (op == "Exists" and not present) or (op == "DoesNotExist" and present):
            return False
    return True


def pod_labels(base: list[Manifest], k8s: ModuleType, kind: str, name: str) -> dict[str, str]:
    manifest = k8s.find(base, kind, name)
    return dict(manifest["spec"]["template"]["metadata"]["labels"])


def test_the_namespace_denies_all_traffic_by_default(base: list[Manifest]) -> None:
    deny = policies(base)["default-deny"]
    assert deny["spec"]["podSelector"] == {}
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny["spec"] and "egress" not in deny["spec"]


def ingress_sources(
    base: list[Manifest], labels: dict[str, str]
) -> list[tuple[Manifest, list[int]]]:
    sources = []
    for policy in policies(base).values():
        if (
            not selects(policy["spec"]["podSelector"], labels)
            or "Ingress" not in policy["spec"]["policyTypes"]
        ):
            continue
        for rule in policy["spec"].get("ingress", []):
            ports = [p["port"] for p in rule.get("ports", [])]
            for peer in rule.get("from", [{}]):
                sources.append((peer, ports))
    return sources


@pytest.mark.parametrize("name", SERVICES)
def test_only_the_public_services_are_reachable_from_outside(
    base: list[Manifest], k8s: ModuleType, name: str
) -> None:
    sources = ingress_sources(base, pod_labels(base, k8s, "Deployment", name))
    if name in PUBLIC:
        assert sources, f"{name} must be reachable from the ingress controller"
        for peer, ports in sources:
            assert peer == {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
                }
            }
            assert ports == [PORTS[name]]
    else:
        assert sources == [], f"{name} is internal: nothing may reach it"


def test_nats_accepts_clients_only_from_the_services_and_its_peers(
    base: list[Manifest], k8s: ModuleType
) -> None:
    nats_labels = pod_labels(base, k8s, "StatefulSet", "nats")
    sources = ingress_sources(base, nats_labels)
    allowed: set[str] = set()
    for peer, ports in sources:
        assert set(peer) == {"podSelector"}, "no traffic from other namespaces or addresses"
        for name in [*SERVICES, "nats"]:
            kind = "StatefulSet" if name == "nats" else "Deployment"
            if selects(peer["podSelector"], pod_labels(base, k8s, kind, name)):
                allowed.add(name)
                if name != "nats":
                    assert ports == [4222]
        for job in SERVICES:
            assert not selects(peer["podSelector"], pod_labels(base, k8s, "Job", f"{job}-migrate"))
    assert allowed == {*SERVICES, "nats"}


@pytest.mark.parametrize("name", SERVICES)
def test_services_egress_only_to_nats_dns_and_their_database(
    base: list[Manifest], k8s: ModuleType, name: str
) -> None:
    for kind, resource in (("Deployment", name), ("Job", f"{name}-migrate")):
        labels = pod_labels(base, k8s, kind, resource)
        rules = [
            rule
            for policy in policies(base).values()
            if selects(policy["spec"]["podSelector"], labels)
            and "Egress" in policy["spec"]["policyTypes"]
            for rule in policy["spec"].get("egress", [])
        ]
        destinations = set()
        for rule in rules:
            ports = {(p["port"], p.get("protocol", "TCP")) for p in rule["ports"]}
            for peer in rule["to"]:
                if "ipBlock" in peer:
                    ipaddress.ip_network(peer["ipBlock"]["cidr"])
                    assert ports == {(5432, "TCP")}
                    destinations.add("postgres")
                elif "namespaceSelector" in peer:
                    assert peer["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
                    assert ports == {(53, "UDP"), (53, "TCP")}
                    destinations.add("dns")
                else:
                    assert peer == {
                        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "nats"}}
                    }
                    assert ports == {(4222, "TCP")}
                    destinations.add("nats")
        assert destinations == {"nats", "dns", "postgres"}, resource


@pytest.mark.parametrize("name", SERVICES)
def test_production_raises_replicas_and_resources(
    base: list[Manifest], production: list[Manifest], k8s: ModuleType, name: str
) -> None:
    def cpu_millis(value: str) -> float:
        return float(value[:-1]) if value.endswith("m") else float(value) * 1000

    before = k8s.find(base, "Deployment", name)
    after = k8s.find(production, "Deployment", name)
    assert after["spec"]["replicas"] >= 3 > before["spec"]["replicas"]
    assert k8s.find(production, "HorizontalPodAutoscaler", name)["spec"]["minReplicas"] >= 3
    old = before["spec"]["template"]["spec"]["containers"][0]["resources"]
    new = after["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert cpu_millis(new["requests"]["cpu"]) > cpu_millis(old["requests"]["cpu"])
    assert new != old
    assert after["spec"]["template"]["spec"]["containers"][0]["image"].startswith(
        "registry.example.org/minyi/minyi:"
    )


def test_production_uses_three_jetstream_replicas_and_larger_nats_volumes(
    production: list[Manifest], k8s: ModuleType
) -> None:
    assert k8s.find(production, "ConfigMap", "minyi-config")["data"]["MINYI_STREAM_REPLICAS"] == "3"
    sts = k8s.find(production, "StatefulSet", "nats")
    assert sts["spec"]["replicas"] == 3
    assert (
        sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
        == "100Gi"
    )
    env = env_map(sts["spec"]["template"]["spec"]["containers"][0])
    assert env["GOMEMLIMIT"] == "3600MiB"
