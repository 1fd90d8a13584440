"""A small kustomize renderer for the Minyi manifests, enough for the tests.

The base is plain YAML (no generators), so rendering is: load every resource listed in
kustomization.yaml (recursing into directories), set the namespace, apply `images`, then
apply `patches` (JSON 6902 lists, or simple strategic-merge mappings). When kubectl is
installed, tests compare this renderer with `kubectl kustomize`.

Run as a script with --sync-nats-config to copy deploy/nats/*.conf into the NATS ConfigMap.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path
from typing import Any, cast

import jsonpatch
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"

CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
}
POD_SPEC_PATHS = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}

Manifest = dict[str, Any]


def load_yaml_documents(path: Path) -> list[Manifest]:
    with path.open(encoding="utf-8") as fh:
        return [doc for doc in yaml.safe_load_all(fh) if doc]


def render(directory: Path) -> list[Manifest]:
    """Render the kustomization in `directory` to a list of manifests."""
    kustomization = load_yaml_documents(directory / "kustomization.yaml")[0]
    manifests: list[Manifest] = []
    for entry in kustomization.get("resources", []):
        target = (directory / entry).resolve()
        if target.is_dir():
            manifests.extend(render(target))
        else:
            manifests.extend(load_yaml_documents(target))
    manifests = copy.deepcopy(manifests)
    if namespace := kustomization.get("namespace"):
        for m in manifests:
            if m["kind"] not in CLUSTER_SCOPED:
                m.setdefault("metadata", {})["namespace"] = namespace
    for image in kustomization.get("images", []):
        _apply_image(manifests, image)
    for patch in kustomization.get("patches", []):
        _apply_patch(directory, manifests, patch)
    return manifests


def pod_spec(manifest: Manifest) -> Manifest | None:
    path = POD_SPEC_PATHS.get(manifest["kind"])
    if path is None:
        return None
    node: Any = manifest
    for key in path:
        node = node[key]
    return cast(Manifest, node)


def _image_name(image: str) -> str:
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return name


def _apply_image(manifests: list[Manifest], rule: dict[str, str]) -> None:
    for m in manifests:
        spec = pod_spec(m)
        if spec is None:
            continue
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            if _image_name(container["image"]) != rule["name"]:
                continue
            name = rule.get("newName", rule["name"])
            if "digest" in rule:
                container["image"] = f"{name}@{rule['digest']}"
            elif "newTag" in rule:
                container["image"] = f"{name}:{rule['newTag']}"
            else:
                old = container["image"][len(_image_name(container["image"])) :]
                container["image"] = name + old


def _matches(manifest: Manifest, target: dict[str, Any]) -> bool:
    meta = manifest.get("metadata", {})
    for field, value in (
        ("kind", manifest.get("kind")),
        ("name", meta.get("name")),
        ("namespace", meta.get("namespace")),
    ):
        if field in target and not re.fullmatch(str(target[field]), str(value or "")):
            return False
    if "version" in target or "group" in target:
        group, _, version = manifest["apiVersion"].rpartition("/")
        if "group" in target and target["group"] != group:
            return False
        if "version" in target and target["version"] != version:
            return False
    if "labelSelector" in target:
        labels = meta.get("labels", {})
        for term in str(target["labelSelector"]).split(","):
            key, _, value = term.partition("=")
            if labels.get(key.strip()) != value.strip():
                return False
    return True


def _strategic_merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = _strategic_merge(merged[key], value)
            else:
                merged[key] = value
        return merged
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(x, dict) and "name" in x for x in base + patch)
    ):
        by_name = {item["name"]: item for item in base}
        out = [
            _strategic_merge(by_name[item["name"]], item) if item["name"] in by_name else item
            for item in patch
        ]
        patched = {item["name"] for item in patch}
        return [item for item in base if item["name"] not in patched] + out
    return patch


def _apply_patch(directory: Path, manifests: list[Manifest], entry: dict[str, Any]) -> None:
    if "path" in entry:
        body = (directory / entry["path"]).read_text(encoding="utf-8")
    else:
        body = entry["patch"]
    operations = yaml.safe_load(body)
    target = entry.get("target")
    if target is None:
        if not isinstance(operations, dict):
            raise ValueError("a JSON 6902 patch needs a target")
        target = {"kind": operations["kind"], "name": operations["metadata"]["name"]}
    hits = [i for i, m in enumerate(manifests) if _matches(m, target)]
    if not hits:
        raise ValueError(f"patch target matched nothing: {target}")
    for i in hits:
        if isinstance(operations, list):
            manifests[i] = jsonpatch.apply_patch(manifests[i], operations)
        else:
            manifests[i] = _strategic_merge(manifests[i], operations)


def find(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    for m in manifests:
        if m["kind"] == kind and m["metadata"]["name"] == name:
            return m
    raise LookupError(f"{kind}/{name} not rendered")


NATS_CONFIG_FILES = {"nats.conf": "nats-cluster.conf", "minyi-users.conf": "minyi-users.conf"}


def sync_nats_config() -> None:
    """Rewrite the nats-config ConfigMap in base/nats.yaml from deploy/nats/."""
    path = K8S / "base" / "nats.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("apiVersion: v1\nkind: ConfigMap\n")
    end = text.index("\n---\n", start) + 1
    lines = [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: nats-config",
        "  labels:",
        "    app.kubernetes.io/name: nats",
        "    app.kubernetes.io/part-of: minyi",
        "data:",
    ]
    block = "\n".join(lines) + "\n"
    for key, filename in NATS_CONFIG_FILES.items():
        content = (REPO / "deploy" / "nats" / filename).read_text(encoding="utf-8")
        block += f"  {key}: |\n" + "".join(
            ("    " + line) if line.strip() else "\n" for line in content.splitlines(keepends=True)
        )
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--sync-nats-config"]:
        sync_nats_config()
    else:
        for directory in sys.argv[1:] or [str(K8S / "base")]:
            print(yaml.safe_dump_all(render(Path(directory)), sort_keys=False, allow_unicode=True))
