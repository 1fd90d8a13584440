"""docker-compose.yml: valid Compose, every service present, scalable, health-checked."""

from __future__ import annotations

import importlib.resources
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
# Every service the code base has: each services/<name>/ with a pyproject.toml.
SERVICES = sorted(p.parent.name for p in (REPO / "services").glob("*/pyproject.toml"))
PORTS = {"intake": 8001, "routing": 8002, "supervision": 8003, "reporting": 8004, "liaison": 8005}
PUBLIC = {"intake", "reporting", "liaison"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    with (REPO / "docker-compose.yml").open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "use the mapping form of environment"
    return {k: "" if v is None else str(v) for k, v in env.items()}


def test_the_code_base_has_the_four_services() -> None:
    assert set(SERVICES) >= {"intake", "routing", "supervision", "reporting"}


def test_compose_file_validates_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema_file = (
        importlib.resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    )
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_of_the_code_base_runs_in_compose(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    assert service["command"] == ["serve", name]
    assert service["restart"] == "unless-stopped"
    assert "container_name" not in service, "a fixed container name breaks --scale"


@pytest.mark.parametrize("name", SERVICES)
def test_only_the_public_services_publish_host_ports(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    if name in PUBLIC:
        assert service["ports"] == [f"{PORTS[name]}:{PORTS[name]}"]
    else:
        assert "ports" not in service, f"{name} must scale: no fixed host port"


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_has_a_readiness_healthcheck_on_its_own_port(
    compose: dict[str, Any], name: str
) -> None:
    check = compose["services"][name]["healthcheck"]
    command = " ".join(check["test"])
    assert check["test"][:2] == ["CMD", "python"], "the slim image has no curl: use python"
    assert "urllib" in command
    assert f"127.0.0.1:{PORTS[name]}/readyz" in command
    assert env_of(compose["services"][name])["MINYI_HTTP_PORT"] == str(PORTS[name])


@pytest.mark.parametrize("name", SERVICES)
def test_every_service_waits_for_healthy_dependencies_and_its_migration(
    compose: dict[str, Any], name: str
) -> None:
    depends = compose["services"][name]["depends_on"]
    assert depends["nats"] == {"condition": "service_healthy"}
    assert depends["postgres"] == {"condition": "service_healthy"}
    assert depends[f"{name}-migrate"] == {"condition": "service_completed_successfully"}
    for dependency in ("nats", "postgres"):
        assert "healthcheck" in compose["services"][dependency]


@pytest.mark.parametrize("name", SERVICES)
def test_migrations_run_once_per_service_before_it_starts(
    compose: dict[str, Any], name: str
) -> None:
    migrate = compose["services"][f"{name}-migrate"]
    assert migrate["command"] == ["migrate", name]
    assert migrate["restart"] == "no"
    assert (
        env_of(migrate)["MINYI_DATABASE_URL"]
        == env_of(compose["services"][name])["MINYI_DATABASE_URL"]
    )


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_uses_its_own_database_and_nats_user(
    compose: dict[str, Any], name: str
) -> None:
    env = env_of(compose["services"][name])
    assert env["MINYI_DATABASE_URL"].startswith(f"postgresql+asyncpg://{name}:")
    assert env["MINYI_DATABASE_URL"].endswith(f"@postgres:5432/minyi_{name}")
    assert env["MINYI_NATS_USER"] == name
    assert env["MINYI_NATS_URL"] == "nats://nats:4222"
    assert env["MINYI_HTTP_HOST"] == "0.0.0.0"
    nats_env = env_of(compose["services"]["nats"])
    assert nats_env[f"{name.upper()}_NATS_PASSWORD"] == env["MINYI_NATS_PASSWORD"]


def test_intake_and_liaison_share_the_blind_index_key_and_keep_their_own_pii_keys(
    compose: dict[str, Any],
) -> None:
    intake, liaison = env_of(compose["services"]["intake"]), env_of(compose["services"]["liaison"])
    assert liaison["MINYI_LIAISON_INDEX_KEY"] == intake["MINYI_INTAKE_INDEX_KEY"]
    assert liaison["MINYI_LIAISON_PII_KEYS"] != intake["MINYI_INTAKE_PII_KEYS"]
    from minyi.platform.pii_vault import PiiVault, parse_keys

    for env, prefix in ((intake, "MINYI_INTAKE"), (liaison, "MINYI_LIAISON")):
        PiiVault(*parse_keys(env[f"{prefix}_PII_KEYS"], env[f"{prefix}_INDEX_KEY"]))


def test_postgres_init_creates_one_database_and_owner_per_service(compose: dict[str, Any]) -> None:
    sql = (REPO / "deploy" / "compose" / "postgres-init.sql").read_text(encoding="utf-8")
    mounts = compose["services"]["postgres"]["volumes"]
    assert any(
        m.startswith("./deploy/compose/postgres-init.sql:/docker-entrypoint-initdb.d/")
        for m in mounts
    )
    for name in SERVICES:
        env = env_of(compose["services"][name])
        password = re.match(rf"postgresql\+asyncpg://{name}:([^@]+)@", env["MINYI_DATABASE_URL"])
        assert password, env["MINYI_DATABASE_URL"]
        assert f"CREATE ROLE {name} LOGIN PASSWORD '{password.group(1)}';" in sql
        assert f"CREATE DATABASE minyi_{name} OWNER {name}" in sql


def test_nats_runs_jetstream_from_the_single_node_config(compose: dict[str, Any]) -> None:
    nats = compose["services"]["nats"]
    assert nats["command"] == ["-c", "/etc/nats/nats-single.conf", "-sd", "/data/jetstream"]
    assert "./deploy/nats:/etc/nats:ro" in nats["volumes"]
    assert any(v.startswith("nats-data:") for v in nats["volumes"])
    assert "js-enabled-only" in " ".join(nats["healthcheck"]["test"])
    assert re.fullmatch(r"nats:\d+\.\d+\.\d+-alpine", nats["image"]), "pin an exact NATS tag"


def test_observability_profile_sends_traces_through_the_collector_to_jaeger(
    compose: dict[str, Any],
) -> None:
    collector = compose["services"]["otel-collector"]
    jaeger = compose["services"]["jaeger"]
    assert collector["profiles"] == ["observability"] and jaeger["profiles"] == ["observability"]
    assert collector["image"].startswith("otel/opentelemetry-collector-contrib:")
    assert jaeger["image"].startswith("jaegertracing/all-in-one:")
    config = yaml.safe_load(
        (REPO / "deploy" / "compose" / "otel-collector.yaml").read_text(encoding="utf-8")
    )
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    assert config["exporters"]["otlp/jaeger"]["endpoint"] == "jaeger:4317"
    assert "otlp/jaeger" in config["service"]["pipelines"]["traces"]["exporters"]
    for name in SERVICES:
        env = env_of(compose["services"][name])
        assert "OTEL_EXPORTER_OTLP_ENDPOINT" in env
        assert env["OTEL_SERVICE_NAME"] == f"minyi-{name}"


def test_no_minyi_service_runs_as_a_profile_only_service(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        assert "profiles" not in compose["services"][name]


def test_dockerfile_builds_one_pinned_non_root_image_for_every_service() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", dockerfile, re.M)
    assert base and re.fullmatch(
        r"python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base.group(1)
    )
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\} AS builder$", dockerfile, re.M)
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\} AS runtime$", dockerfile, re.M)
    assert "pip install --no-cache-dir uv==0.13.9" in dockerfile
    assert "uv sync --frozen --no-dev --no-editable" in dockerfile
    assert "COPY --from=builder /opt/venv /opt/venv" in dockerfile
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
    assert 'ENTRYPOINT ["minyi"]' in dockerfile
    assert 'CMD ["serve", "intake"]' in dockerfile
    for name in SERVICES:
        assert f"COPY services/{name}/pyproject.toml" in dockerfile


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image() -> None:
    lines = set((REPO / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv/", "**/.env", "**/__pycache__", "tests/"} <= lines
    assert not any(line in lines for line in ("shared/", "services/", "uv.lock", "pyproject.toml"))


def test_compose_config_files_exist() -> None:
    for path in (
        "deploy/compose/otel-collector.yaml",
        "deploy/compose/postgres-init.sql",
        "deploy/nats/nats-single.conf",
        "deploy/nats/minyi-users.conf",
    ):
        assert Path(REPO / path).is_file(), path
