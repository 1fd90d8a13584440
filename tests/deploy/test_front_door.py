"""The one front door: the Kubernetes Ingress (deploy/k8s/base/ingress.yaml) and compose's
Caddy (deploy/compose/Caddyfile) route the same hosts and paths to the five services —
every page and API route each service declares, and none of its operational endpoints
(/metrics, probes, API docs) — with TLS, a body-size limit, and the proxy trusted for the
client's address."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from minyi.platform.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.parent.name for p in (REPO / "services").glob("*/pyproject.toml"))
PORTS = {"intake": 8001, "routing": 8002, "supervision": 8003, "reporting": 8004, "liaison": 8005}
# Inside the cluster / compose network only.
OPERATIONAL = ("/metrics", "/healthz", "/livez", "/readyz", "/docs", "/redoc", "/openapi.json")
OPERATIONAL_PREFIXES = ("/docs/",)
# Public in the access table, but read by machines inside: not routed from outside.
NOT_ROUTED = ("/asyncapi.json",)

Manifest = dict[str, Any]
# host -> (service, [(path, pathType)])
Routes = dict[str, tuple[str, list[tuple[str, str]]]]


def matches(path: str, rule: str, kind: str) -> bool:
    """Kubernetes path matching: Exact, or Prefix element by element."""
    if kind == "Exact":
        return path == rule
    rule = rule.rstrip("/")
    return rule == "" or path == rule or path.startswith(rule + "/")


def routed(routes: list[tuple[str, str]], path: str) -> bool:
    return any(matches(path, rule, kind) for rule, kind in routes)


@pytest.fixture(scope="module")
def ingress(k8s: ModuleType) -> Manifest:
    manifest: Manifest = k8s.find(k8s.render(REPO / "deploy/k8s/base"), "Ingress", "minyi")
    return manifest


@pytest.fixture(scope="module")
def ingress_routes(ingress: Manifest) -> Routes:
    out: Routes = {}
    for rule in ingress["spec"]["rules"]:
        # Paths to anything else (an overlay's oauth2-proxy at /oauth2) are not ours to check.
        ours = [p for p in rule["http"]["paths"] if p["backend"]["service"]["name"] in PORTS]
        backends = {p["backend"]["service"]["name"] for p in ours}
        assert len(backends) == 1, f"{rule['host']}: one service per host"
        [service] = backends
        for p in ours:
            assert p["backend"]["service"]["port"] == {"number": PORTS[service]}
        out[rule["host"]] = (service, [(p["path"], p["pathType"]) for p in ours])
    return out


@pytest.fixture(scope="module")
def declared_get_paths(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, set[str]]]:
    """Each service's GET routes as its real app declares them (parameters filled in)."""
    from minyi.platform.auth import routes_of
    from tests.security.conftest import build_app

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MINYI_INTAKE_API_KEYS", "front-door-test")
        mp.setenv("MINYI_INTAKE_CHAT_SECRET", "front-door-test")
        out: dict[str, set[str]] = {}
        for name in SERVICES:
            app = build_app(name, tmp_path_factory.mktemp(name))
            out[name] = {
                re.sub(r"\{[^}]+\}", "x", route.path)
                for route in routes_of(app)
                if "GET" in (getattr(route, "methods", None) or {"GET"})
            }
        yield out


def test_the_ingress_sends_each_host_to_one_service_and_covers_all_five(
    ingress: Manifest, ingress_routes: Routes
) -> None:
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert sorted(service for service, _ in ingress_routes.values()) == SERVICES
    [tls] = ingress["spec"]["tls"]
    assert tls["secretName"] == "minyi-tls"
    assert set(tls["hosts"]) == set(ingress_routes), "the certificate covers every host"
    domain = next(h for h, (s, _) in ingress_routes.items() if s == "intake")
    for host in ingress_routes:
        assert host == domain or host.endswith("." + domain), "one domain for all"


def test_the_ingress_limits_request_bodies_to_the_services_own_limit(
    ingress: Manifest, k8s: ModuleType
) -> None:
    annotations = ingress["metadata"]["annotations"]
    size = annotations["nginx.ingress.kubernetes.io/proxy-body-size"]
    assert size == "1m" and Settings().max_body_bytes == 1024 * 1024
    assert annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"
    # Evidence files only: a second Ingress on supervision's project routes.
    evidence = k8s.find(k8s.render(REPO / "deploy/k8s/base"), "Ingress", "minyi-evidence")
    assert (
        evidence["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "26m"
    )
    [rule] = evidence["spec"]["rules"]
    assert [(p["path"], p["pathType"]) for p in rule["http"]["paths"]] == [
        ("/v1/projects", "Prefix")
    ]
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "supervision"


@pytest.mark.parametrize("name", SERVICES)
def test_the_ingress_routes_every_declared_route_and_no_operational_one(
    ingress_routes: Routes, declared_get_paths: dict[str, set[str]], name: str
) -> None:
    [routes] = [r for service, r in ingress_routes.values() if service == name]
    for path in sorted(declared_get_paths[name]):
        operational = path in OPERATIONAL + NOT_ROUTED or path.startswith(OPERATIONAL_PREFIXES)
        assert routed(routes, path) != operational, (name, path, "routed" if operational else "not")
    for path in OPERATIONAL + NOT_ROUTED:
        assert not routed(routes, path), (name, path)


def test_the_services_trust_the_ingress_for_the_client_address(k8s: ModuleType) -> None:
    config = k8s.find(k8s.render(REPO / "deploy/k8s/base"), "ConfigMap", "minyi-config")["data"]
    networks = [ipaddress.ip_network(c) for c in config["MINYI_TRUSTED_PROXIES"].split(",")]
    assert networks and not any(n.prefixlen == 0 for n in networks), "never trust everyone"
    assert "MINYI_EGRESS_ALLOW" in config


def test_the_public_links_point_at_the_front_door(k8s: ModuleType, ingress_routes: Routes) -> None:
    base = k8s.render(REPO / "deploy/k8s/base")
    [liaison_host] = [h for h, (s, _) in ingress_routes.items() if s == "liaison"]
    for service, variable in (
        ("liaison", "MINYI_LIAISON_PUBLIC_BASE_URL"),
        ("intake", "MINYI_INTAKE_LIAISON_PUBLIC_URL"),
    ):
        container = k8s.find(base, "Deployment", service)["spec"]["template"]["spec"]
        env = {e["name"]: e.get("value") for e in container["containers"][0]["env"]}
        assert env[variable] == f"https://{liaison_host}"
    # The public ledger's 附议 links open intake's /support at intake's host.
    [intake_host] = [h for h, (s, _) in ingress_routes.items() if s == "intake"]
    container = k8s.find(base, "Deployment", "reporting")["spec"]["template"]["spec"]
    env = {e["name"]: e.get("value") for e in container["containers"][0]["env"]}
    assert env["MINYI_WEB_LINKS"] == f"intake=https://{intake_host}"
    assert routed(ingress_routes[intake_host][1], "/support")


# ---- compose: the same through Caddy -------------------------------------------------


def caddy_sites() -> dict[str, tuple[str, set[str]]]:
    """Site label (the host with MINYI_DOMAIN as "{domain}") -> (service, path matchers)."""
    text = (REPO / "deploy/compose/Caddyfile").read_text(encoding="utf-8")
    sites: dict[str, tuple[str, set[str]]] = {}
    for block in re.finditer(r"^http://(\S+) \{\n(.*?)^\}", text, re.M | re.S):
        label = block.group(1).replace("{$MINYI_DOMAIN:localhost}", "{domain}")
        body = block.group(2)
        [paths] = re.findall(r"@routed path (.+)", body)
        [upstream] = re.findall(r"reverse_proxy (\w+):(\d+)", body)
        assert "import limits" in body and "respond 404" in body, label
        assert PORTS[upstream[0]] == int(upstream[1])
        sites[label] = (upstream[0], set(paths.split()))
    return sites


def caddy_form(routes: list[tuple[str, str]]) -> set[str]:
    """The Caddy path matchers equal to Kubernetes paths."""
    out: set[str] = set()
    for path, kind in routes:
        out |= {path} if kind == "Exact" else {path, path.rstrip("/") + "/*"}
    return out


def test_caddy_routes_the_same_hosts_and_paths_as_the_ingress(ingress_routes: Routes) -> None:
    sites = caddy_sites()
    domain = next(h for h, (s, _) in ingress_routes.items() if s == "intake")
    expected = {
        host.removesuffix(domain) + "{domain}": (service, caddy_form(routes))
        for host, (service, routes) in ingress_routes.items()
    }
    assert sites == expected


def test_caddy_limits_bodies_and_serves_plain_http_on_8080() -> None:
    text = (REPO / "deploy/compose/Caddyfile").read_text(encoding="utf-8")
    assert re.search(
        r"@body not path /v1/projects/\*/progress\s+request_body @body \{\s+max_size 1MiB\s+\}",
        text,
    )
    assert re.search(r"request_body @evidence \{\s+max_size 26MiB\s+\}", text)
    assert "http_port 8080" in text and "admin off" in text


def test_compose_runs_the_front_door_and_the_services_trust_only_it() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    front = compose["services"]["front"]
    assert re.fullmatch(r"caddy:\d+\.\d+\.\d+-alpine", front["image"]), "pin an exact tag"
    assert "./deploy/compose/Caddyfile:/etc/caddy/Caddyfile:ro" in front["volumes"]
    assert front["ports"] == ["${MINYI_FRONT_PORT:-8080}:8080"]
    assert front["read_only"] is True and front["cap_drop"] == ["ALL"]
    assert set(front["depends_on"]) == set(SERVICES)
    address = ipaddress.ip_address(front["networks"]["default"]["ipv4_address"])
    [subnet] = compose["networks"]["default"]["ipam"]["config"]
    assert address in ipaddress.ip_network(subnet["subnet"])
    for name in SERVICES:
        env = compose["services"][name]["environment"]
        assert env["MINYI_TRUSTED_PROXIES"] == str(address), name
