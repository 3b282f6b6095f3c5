"""Run the pinned Helm CLI on the chart in ``helm/`` and parse what it renders."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "helm"
ENSURE_HELM = REPO / "tools" / "ensure-helm"
RELEASE = "badgehub"
NAMESPACE = "badges"
# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest that
# kubernetes-validate bundles schemas for.
KUBERNETES_VERSIONS = ("1.29.0", "1.37.0")


def find_helm() -> str:
    """Return the Helm binary, building it once; fail in CI and skip elsewhere when impossible."""
    configured = os.environ.get("BADGEHUB_HELM")
    if configured and Path(configured).is_file():
        return configured
    result = subprocess.run([str(ENSURE_HELM)], capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return result.stdout.strip()
    reason = f"Helm is not available: {result.stderr.strip()}"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass(frozen=True)
class Helm:
    binary: str
    home: Path

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "HELM_CACHE_HOME": str(self.home / "cache"),
            "HELM_CONFIG_HOME": str(self.home / "config"),
            "HELM_DATA_HOME": str(self.home / "data"),
        }
        command = [self.binary, *arguments]
        return subprocess.run(
            command, capture_output=True, text=True, check=False, env=environment, timeout=120
        )

    def template(
        self, *values: str, chart: Path = CHART, kube_version: str = KUBERNETES_VERSIONS[-1]
    ) -> subprocess.CompletedProcess[str]:
        arguments = [
            "template",
            RELEASE,
            str(chart),
            "--namespace",
            NAMESPACE,
            "--kube-version",
            kube_version,
        ]
        for item in values:
            arguments += ["--set", item] if "=" in item else ["--values", str(chart / item)]
        return self.run(*arguments)

    def render(self, *values: str, chart: Path = CHART) -> list[dict[str, Any]]:
        """Render the chart and return its manifests; a rendering error fails the test."""
        result = self.template(*values, chart=chart)
        assert result.returncode == 0, result.stderr
        return [document for document in yaml.safe_load_all(result.stdout) if document]


def by_kind(manifests: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [manifest for manifest in manifests if manifest["kind"] == kind]


def one(manifests: list[dict[str, Any]], kind: str, name_suffix: str = "") -> dict[str, Any]:
    matches = [
        manifest
        for manifest in by_kind(manifests, kind)
        if manifest["metadata"]["name"].endswith(name_suffix)
    ]
    assert len(matches) == 1, f"expected one {kind} named *{name_suffix}, got {len(matches)}"
    return matches[0]


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = manifest["spec"]["template"]["spec"]
    return spec
