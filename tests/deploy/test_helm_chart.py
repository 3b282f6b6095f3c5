"""The Helm chart: lint, render with each values file, validate offline, check what it promises.

Every rendered manifest is validated with kubernetes-validate against the Kubernetes OpenAPI
schemas it bundles (strict mode rejects unknown fields), for the oldest and the newest
Kubernetes version the chart supports. Nothing here contacts a cluster.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import SchemaNotFoundError

from hub.settings import Settings
from tests.deploy.helm import (
    CHART,
    KUBERNETES_VERSIONS,
    Helm,
    by_kind,
    find_helm,
    one,
    pod_spec,
)

PRODUCTION = "ci/production-values.yaml"
PRODUCTION_IMAGE = "registry.eunice-alliance.eu/badgehub/eunice-badge-hub"
PRODUCTION_DIGEST = "3f1d2a7c9b8e4f6a0d5c2b1e9f8a7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c"
CNPG = "ci/cnpg-values.yaml"
VALUES_FILES = {"default": (), "production": (PRODUCTION,), "cnpg": (CNPG,)}
# Custom resources whose schemas kubernetes-validate does not bundle; their tests check fields.
CUSTOM_KINDS = {("postgresql.cnpg.io/v1", "Cluster")}
PRODUCTION_KINDS = {
    "ConfigMap",
    "Deployment",
    "HorizontalPodAutoscaler",
    "Ingress",
    "Job",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Service",
    "ServiceAccount",
}


@pytest.fixture(scope="session")
def helm(tmp_path_factory: pytest.TempPathFactory) -> Helm:
    return Helm(find_helm(), tmp_path_factory.mktemp("helm-home"))


@pytest.fixture(scope="session")
def production(helm: Helm) -> list[dict[str, Any]]:
    return helm.render(PRODUCTION)


def validate_offline(manifests: list[dict[str, Any]], version: str) -> list[str]:
    """Validate each manifest strictly; return the errors, one line each."""
    errors = []
    for manifest in manifests:
        name = f"{manifest['kind']}/{manifest['metadata']['name']}"
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            errors.append(f"{name}: {path}: {error.message}")
        except SchemaNotFoundError:
            if (manifest["apiVersion"], manifest["kind"]) not in CUSTOM_KINDS:
                errors.append(f"{name}: no schema for {manifest['apiVersion']}")
    return errors


@pytest.mark.parametrize("values", VALUES_FILES.values(), ids=VALUES_FILES.keys())
def test_lint_passes(helm: Helm, values: tuple[str, ...]) -> None:
    arguments = ["lint", str(CHART), "--strict"]
    for item in values:
        arguments += ["--values", str(CHART / item)]

    result = helm.run(*arguments)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("kube_version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("values", VALUES_FILES.values(), ids=VALUES_FILES.keys())
def test_rendered_manifests_validate(
    helm: Helm, values: tuple[str, ...], kube_version: str
) -> None:
    result = helm.template(*values, kube_version=kube_version)
    assert result.returncode == 0, result.stderr
    manifests = [document for document in yaml.safe_load_all(result.stdout) if document]

    errors = validate_offline(manifests, kube_version)

    assert errors == []
    assert len(manifests) >= 9


def test_production_renders_every_kind(production: list[dict[str, Any]]) -> None:
    kinds = {manifest["kind"] for manifest in production}

    assert kinds == PRODUCTION_KINDS
    assert len(by_kind(production, "Deployment")) == 2
    assert "Secret" not in kinds


def test_web_probes(production: list[dict[str, Any]]) -> None:
    container = pod_spec(one(production, "Deployment", "-web"))["containers"][0]

    assert container["args"] == ["serve"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert container["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]


def test_worker_runs_the_same_image(production: list[dict[str, Any]]) -> None:
    web = pod_spec(one(production, "Deployment", "-web"))["containers"][0]
    worker_deployment = one(production, "Deployment", "-worker")
    worker = pod_spec(worker_deployment)["containers"][0]

    assert worker["image"] == web["image"]
    assert worker["image"] == f"{PRODUCTION_IMAGE}@sha256:{PRODUCTION_DIGEST}"
    assert worker["args"] == ["worker", "--concurrency", "2", "--metrics-port", "9100"]
    assert worker_deployment["spec"]["replicas"] == 2


@pytest.mark.parametrize("values", VALUES_FILES.values(), ids=VALUES_FILES.keys())
def test_pods_are_locked_down(helm: Helm, values: tuple[str, ...]) -> None:
    manifests = helm.render(*values)
    workloads = by_kind(manifests, "Deployment") + by_kind(manifests, "Job")

    assert len(workloads) == 3
    for workload in workloads:
        spec = pod_spec(workload)
        name = workload["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == 10001, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["volumes"] == [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}], name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], name
            assert container["resources"]["requests"]["memory"], name
            assert container["resources"]["limits"]["memory"], name


def test_migrations_run_as_hook(production: list[dict[str, Any]]) -> None:
    job = one(production, "Job", "-migrate")
    annotations = job["metadata"]["annotations"]
    container = pod_spec(job)["containers"][0]
    variables = {variable["name"]: variable for variable in container["env"]}

    assert annotations["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    assert container["args"] == ["migrate"]
    assert pod_spec(job)["restartPolicy"] == "Never"
    # Hooks run before the release's ServiceAccount and ConfigMap exist.
    assert "serviceAccountName" not in pod_spec(job)
    assert "envFrom" not in container
    assert variables["HUB_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "badgehub-database",
        "key": "url",
    }


def secret_references(manifests: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    references = {}
    for workload in by_kind(manifests, "Deployment"):
        for variable in pod_spec(workload)["containers"][0]["env"]:
            assert "value" not in variable, f"{variable['name']} is inlined"
            references[variable["name"]] = variable["valueFrom"]["secretKeyRef"]
    return references


def test_secrets_come_from_existing_secrets(production: list[dict[str, Any]]) -> None:
    references = secret_references(production)

    assert references == {
        "HUB_DATABASE_URL": {"name": "badgehub-database", "key": "url"},
        "HUB_KEY_ENCRYPTION_KEY": {
            "name": "badgehub-key-encryption-key",
            "key": "key-encryption-key",
        },
        "HUB_OIDC_CLIENT_SECRET": {"name": "badgehub-keycloak", "key": "client-secret"},
        "HUB_PROVISIONING_CLIENT_SECRET": {
            "name": "badgehub-keycloak",
            "key": "provisioning-client-secret",
        },
        "HUB_SMTP_PASSWORD": {"name": "badgehub-smtp", "key": "password"},
        "HUB_METRICS_TOKEN": {"name": "badgehub-metrics", "key": "token"},
    }


def test_unnamed_secrets_are_left_out(helm: Helm) -> None:
    references = secret_references(helm.render())

    assert set(references) == {
        "HUB_DATABASE_URL",
        "HUB_KEY_ENCRYPTION_KEY",
        "HUB_OIDC_CLIENT_SECRET",
    }


def test_config_map_is_valid_settings(production: list[dict[str, Any]]) -> None:
    data = one(production, "ConfigMap")["data"]
    known = {f"HUB_{name.upper()}" for name in Settings.__dataclass_fields__}
    secret_variables = set(secret_references(production))

    assert set(data) <= known, set(data) - known
    assert not set(data) & secret_variables
    # Stand-ins for the values that the pods read from Secrets.
    secrets = dict.fromkeys(secret_variables, "secret-value")
    secrets["HUB_DATABASE_URL"] = "postgresql://badgehub@db.internal/badgehub"
    secrets["HUB_KEY_ENCRYPTION_KEY"] = "A" * 43 + "="
    settings = Settings.from_env({**data, **secrets})
    assert settings.public_url == "https://badges.eunice-alliance.eu"
    assert settings.host == "0.0.0.0"
    assert settings.log_format == "json"
    assert settings.outbound_max_kb == 2048
    assert settings.api_allowed_clients == ("badgehub-web", "badgehub-lms")


def test_autoscaler_and_budget_target_web(production: list[dict[str, Any]]) -> None:
    web = one(production, "Deployment", "-web")
    web_labels = web["spec"]["template"]["metadata"]["labels"]
    autoscaler = one(production, "HorizontalPodAutoscaler")
    budget = one(production, "PodDisruptionBudget")
    service = one(production, "Service")

    assert autoscaler["spec"]["scaleTargetRef"]["name"] == web["metadata"]["name"]
    assert (autoscaler["spec"]["minReplicas"], autoscaler["spec"]["maxReplicas"]) == (3, 14)
    assert "replicas" not in web["spec"]
    assert budget["spec"]["minAvailable"] == 2
    assert budget["spec"]["selector"]["matchLabels"].items() <= web_labels.items()
    assert service["spec"]["selector"].items() <= web_labels.items()
    assert web["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]


def test_ingress_serves_public_host_over_tls(production: list[dict[str, Any]]) -> None:
    ingress = one(production, "Ingress")

    assert ingress["spec"]["tls"] == [
        {"hosts": ["badges.eunice-alliance.eu"], "secretName": "badgehub-tls"}
    ]
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "badges.eunice-alliance.eu"
    assert rule["http"]["paths"][0]["backend"]["service"]["port"] == {"name": "http"}


def test_network_policy_limits_traffic(production: list[dict[str, Any]]) -> None:
    policy = one(production, "NetworkPolicy")["spec"]
    web_labels = one(production, "Deployment", "-web")["spec"]["template"]["metadata"]["labels"]
    egress_ports = {port["port"] for rule in policy["egress"] for port in rule["ports"]}

    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["podSelector"]["matchLabels"].items() <= web_labels.items()
    assert policy["ingress"][0]["ports"] == [{"port": 8000, "protocol": "TCP"}]
    assert len(policy["ingress"][0]["from"]) == 2
    assert policy["ingress"][1]["ports"] == [{"port": 9100, "protocol": "TCP"}]
    assert len(policy["ingress"][1]["from"]) == 1
    assert egress_ports == {53, 5432, 443, 587}
    database_rule = next(rule for rule in policy["egress"] if rule["ports"][0]["port"] == 5432)
    assert database_rule["to"] == [{"ipBlock": {"cidr": "10.20.0.0/24"}}]


def test_cnpg_cluster_comes_first(helm: Helm) -> None:
    manifests = helm.render(CNPG)
    cluster = one(manifests, "Cluster")
    annotations = cluster["metadata"]["annotations"]
    references = secret_references(manifests)
    policy = one(manifests, "NetworkPolicy")["spec"]

    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert annotations["helm.sh/hook"] == "pre-install"
    assert int(annotations["helm.sh/hook-weight"]) < 0
    assert annotations["helm.sh/resource-policy"] == "keep"
    assert cluster["spec"]["instances"] == 2
    assert cluster["spec"]["bootstrap"]["initdb"] == {"database": "badgehub", "owner": "badgehub"}
    assert cluster["spec"]["storage"] == {"size": "10Gi", "storageClass": "fast-ssd"}
    cluster_secret = {"name": f"{cluster['metadata']['name']}-app", "key": "uri"}
    assert references["HUB_DATABASE_URL"] == cluster_secret
    assert {"podSelector": {"matchLabels": {"cnpg.io/cluster": cluster["metadata"]["name"]}}} in [
        peer for rule in policy["egress"] for peer in rule.get("to", [])
    ]


@pytest.mark.parametrize(
    ("endpoint", "port"),
    [
        ("http://otel-collector.monitoring:4318", 4318),
        ("https://traces.example.eu", 443),
    ],
)
def test_tracing_reaches_collector(helm: Helm, endpoint: str, port: int) -> None:
    manifests = helm.render("tracing.enabled=true", f"tracing.otlpEndpoint={endpoint}")
    data = one(manifests, "ConfigMap")["data"]
    policy = one(manifests, "NetworkPolicy")["spec"]

    assert validate_offline(manifests, KUBERNETES_VERSIONS[-1]) == []
    assert data["HUB_TRACING"] == "true"
    assert data["OTEL_EXPORTER_OTLP_ENDPOINT"] == endpoint
    assert data["OTEL_SERVICE_NAME"] == "badgehub"
    assert policy["egress"][-1]["ports"] == [{"port": port, "protocol": "TCP"}]
    assert Settings.from_env(data).tracing is True


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("securityContext.readOnlyRootFilesystem=false", "readOnlyRootFilesystem"),
        ("podSecurityContext.runAsNonRoot=false", "runAsNonRoot"),
        ("publicUrl=https://badges.example.eu/hub", "publicUrl"),
        ("web.replica=3", "replica"),
        ("settings.logFormat=text", "logFormat"),
        ("secrets.keyEncryptionKey.name=", "keyEncryptionKey"),
        ("web.autoscaling.minReplicas=9", "minReplicas"),
        ("tracing.enabled=true", "otlpEndpoint"),
        ("settings.extra.PATH=/tmp", "PATH"),
    ],
)
def test_bad_values_are_rejected(helm: Helm, override: str, message: str) -> None:
    result = helm.template(override)

    assert result.returncode != 0
    assert message in result.stderr


def test_validation_catches_a_broken_template(helm: Helm, tmp_path: Path) -> None:
    chart = tmp_path / "helm"
    shutil.copytree(CHART, chart)
    template = chart / "templates" / "web-deployment.yaml"
    text = template.read_text()
    # A misspelt field that Kubernetes would reject, indented as a container field.
    template.write_text(text.replace("          args: [", "          argz: [", 1))

    manifests = helm.render(chart=chart)
    errors = validate_offline(manifests, KUBERNETES_VERSIONS[-1])

    assert len(errors) == 1
    assert errors[0].startswith("Deployment/badgehub-web: spec.template.spec.containers.0")
    assert "argz" in errors[0]
