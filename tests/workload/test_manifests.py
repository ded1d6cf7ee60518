"""The in-cluster manifests: Traefik and workload charts (constructs_lib.workload.manifests) and the Flux
baseline (cluster-manifests/).

Everything is validated against the Kubernetes API schemas of the configured cluster version
(kubernetes-validate, strict: unknown fields fail), CRDs against schemas in tests/k8s_schemas/;
then the behaviour a cluster relies on is asserted on the parsed objects: scheduling, probes,
limits, pod security, images, disruption budgets, autoscaling, network reachability, TLS and
RBAC. No cluster is needed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from constructs_lib.config.rules import POLICY_MAX_LIMITS
from constructs_lib.workload.manifests.cluster_baseline import (
    CLUSTER_MANIFESTS_DIR,
    cluster_manifest_files,
    cluster_manifest_variables,
    substitute_variables,
)
from constructs_lib.workload.manifests.sample_app import workload_manifests
from constructs_lib.workload.manifests.scan_bundle import write_all_manifests
from constructs_lib.workload.manifests.serialize import (
    render_for_validation,
    write_chart,
)
from constructs_lib.workload.manifests.settings import (
    INGRESS_IDENTITY_CLIENT_ID,
    WorkloadManifestSettings,
    cpu_millicores,
    helm_value,
    memory_mebibytes,
)
from constructs_lib.workload.manifests.traefik import traefik_manifests
from tests.envfiles import load_yaml

SCHEMAS = Path(__file__).parent / "k8s_schemas"
CLIENT_ID = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
READER_GROUP = "0b7a1c52-5d0e-4b1a-9f3e-2c4d6e8f0a1b"
ADMIN_GROUP = "9e8d7c6b-5a49-4838-a271-605f4e3d2c1b"
REGISTRY = "crbu0001a0008proeus2x1234.azurecr.io"
SAMPLE = {
    "registry_login_server": REGISTRY,
    "key_vault_name": "kv-aks-x1234",
    "tenant_id": "11111111-2222-3333-4444-555555555555",
}
PLACEHOLDER = helm_value(INGRESS_IDENTITY_CLIENT_ID)
KUBE_SYSTEM = {"kubernetes.io/metadata.name": "kube-system"}
# Pod Security Standards "restricted": allowed volume types.
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                      "projected", "secret"}


# ------------------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def settings() -> WorkloadManifestSettings:
    return WorkloadManifestSettings(**SAMPLE)


@pytest.fixture(scope="module")
def charts(settings, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("charts")
    return {
        "traefik": write_chart(root / "traefik-ingress", "traefik-ingress", "1.0.0", "v3.4.5",
                               traefik_manifests(settings)),
        "workload": write_chart(root / "aspnetapp", "aspnetapp", "1.0.0", "aspnetapp-9.0",
                                workload_manifests(settings)),
    }


@pytest.fixture(scope="module")
def raw_templates(charts) -> dict[str, dict[str, str]]:
    """Template text per chart, as Helm would read it."""
    return {name: {p.name: p.read_text() for p in sorted((folder / "templates").iterdir())}
            for name, folder in charts.items()}


@pytest.fixture(scope="module")
def rendered(raw_templates) -> dict[str, list[dict]]:
    """The charts' objects as the cluster would receive them (sample client id)."""
    return {name: [load_yaml(render_for_validation(text, {INGRESS_IDENTITY_CLIENT_ID: CLIENT_ID}))
                   for text in templates.values()]
            for name, templates in raw_templates.items()}


@pytest.fixture(scope="module")
def objects(rendered) -> list[dict]:
    return rendered["traefik"] + rendered["workload"]


@pytest.fixture(scope="module")
def substitutions(settings) -> dict[str, str]:
    return {"WORKLOAD_NAMESPACE": settings.namespace, "NAMESPACE_READER_GROUP_ID": READER_GROUP,
            "CLUSTER_ADMIN_GROUP_ID": ADMIN_GROUP}


@pytest.fixture(scope="module")
def baseline(substitutions) -> dict[str, dict]:
    """cluster-manifests/ objects after Flux substitution, by path relative to the folder."""
    return {str(p.relative_to(CLUSTER_MANIFESTS_DIR)):
            load_yaml(substitute_variables(p.read_text(), substitutions))
            for p in cluster_manifest_files()}


# ------------------------------------------------------------------------------------- helpers

def one(objs: list[dict], kind: str, name: str | None = None) -> dict:
    found = [o for o in objs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def of_kind(objs: list[dict], kind: str) -> list[dict]:
    return [o for o in objs if o["kind"] == kind]


def pod_specs(objs: list[dict]) -> Iterator[tuple[dict, dict]]:
    for deployment in of_kind(objs, "Deployment"):
        yield deployment, deployment["spec"]["template"]["spec"]


def containers(objs: list[dict]) -> Iterator[tuple[str, dict]]:
    for deployment, spec in pod_specs(objs):
        for container in spec.get("initContainers", []) + spec["containers"]:
            yield f"{deployment['metadata']['name']}/{container['name']}", container


def selects(selector: dict, labels: dict) -> bool:
    assert set(selector) <= {"matchLabels"}, f"selector {selector} uses more than matchLabels"
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def pod_labels(objs: list[dict], deployment: str) -> dict:
    return one(objs, "Deployment", deployment)["spec"]["template"]["metadata"]["labels"]


def allowed(objs: list[dict], namespace: str, labels: dict, direction: str) -> set[tuple] | None:
    """What the namespace's NetworkPolicies let into (Ingress) or out of (Egress) pods with these
    labels: a set of (peer, protocol, port); None when no policy isolates them (all allowed)."""
    key = "from" if direction == "Ingress" else "to"
    isolated, result = False, set()
    for policy in of_kind(objs, "NetworkPolicy"):
        spec = policy["spec"]
        if policy["metadata"]["namespace"] != namespace or direction not in spec["policyTypes"]:
            continue
        if not selects(spec["podSelector"], labels):
            continue
        isolated = True
        for rule in spec.get(direction.lower(), []):
            for peer in rule.get(key, [{"any": True}]):
                for port in rule.get("ports", [{"protocol": "any", "port": "any"}]):
                    result.add((peer_key(peer), port.get("protocol", "TCP"), port["port"]))
    return result if isolated else None


def peer_key(peer: dict) -> tuple:
    if "ipBlock" in peer:
        return ("ipBlock", peer["ipBlock"]["cidr"], tuple(peer["ipBlock"].get("except", ())))
    if "any" in peer:
        return ("any",)
    namespace = (tuple(sorted(peer["namespaceSelector"].get("matchLabels", {}).items()))
                 if "namespaceSelector" in peer else "same-namespace")
    pods = tuple(sorted(peer["podSelector"].get("matchLabels", {}).items())) if "podSelector" in peer else "all-pods"
    return ("pods", namespace, pods)


def config_files(objs: list[dict]) -> tuple[dict, dict]:
    data = one(objs, "ConfigMap", "traefik-ingress-config")["data"]
    return load_yaml(data["traefik.yaml"]), load_yaml(data["dynamic.yaml"])


def validation_errors(obj: dict, version: str) -> list[str]:
    where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    try:
        used = kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{where}: {exc.message} at {'.'.join(str(p) for p in exc.absolute_path)}"]
    except kubernetes_validate.SchemaNotFoundError as exc:
        return [f"{where}: {exc.message}"]
    if used != ".".join(version.split(".")[:2]):
        return [f"{where}: validated against {used}, not {version}"]
    return []


# ------------------------------------------------------------------------- schema validation

CUSTOM_KINDS = {"SecretProviderClass", "CiliumNetworkPolicy"}
"""Custom resources: validated against their CRD schemas (tests/workload/k8s_schemas)."""


def test_chart_objects_validate_against_the_cluster_version_schemas(objects, settings):
    errors = []
    for obj in objects:
        if obj["kind"] in CUSTOM_KINDS:
            continue
        errors += validation_errors(obj, settings.kubernetes_version)
    assert not errors, "\n".join(errors)
    assert {o["kind"] for o in objects} - CUSTOM_KINDS, "nothing was validated"


def test_cilium_network_policy_matches_the_crd_schema(objects):
    schema = json.loads((SCHEMAS / "ciliumnetworkpolicy-cilium-v2.json").read_text())
    (policy,) = of_kind(objects, "CiliumNetworkPolicy")
    jsonschema.validate(policy, schema)


def test_secret_provider_class_matches_the_crd_schema(objects, settings):
    spc = one(objects, "SecretProviderClass")
    jsonschema.validate(spc, json.loads((SCHEMAS / "secretproviderclass-secrets-store-v1.json").read_text()))
    entry_schema = json.loads((SCHEMAS / "azure-keyvault-object-v1.json").read_text())
    entries = [load_yaml(text) for text in load_yaml(spc["spec"]["parameters"]["objects"])["array"]]
    for entry in entries:
        jsonschema.validate(entry, entry_schema)
    # The one certificate, read as the private key (secret) and as the public certificate (cert).
    assert {(e["objectName"], e["objectType"], e["objectAlias"]) for e in entries} == {
        (settings.ingress_certificate_name, "secret", "tls.key"),
        (settings.ingress_certificate_name, "cert", "tls.crt"),
    }


def test_cluster_manifests_validate_after_substitution(baseline, settings):
    errors = []
    for obj in baseline.values():
        errors += validation_errors(obj, settings.kubernetes_version)
    assert not errors, "\n".join(errors)
    kustomization = load_yaml((CLUSTER_MANIFESTS_DIR / "kustomization.yaml").read_text())
    jsonschema.validate(kustomization, json.loads((SCHEMAS / "kustomization-kustomize-v1beta1.json").read_text()))


def test_kustomization_lists_every_manifest_file():
    listed = {p.resolve() for p in cluster_manifest_files()}
    on_disk = {p.resolve() for p in CLUSTER_MANIFESTS_DIR.rglob("*.yaml") if p.name != "kustomization.yaml"}
    assert listed == on_disk
    for path in listed:
        assert len(list(yaml.safe_load_all(path.read_text()))) == 1, f"{path}: one object per file"


# ----------------------------------------------------------------------------- chart contract

def test_the_only_templating_is_the_client_id_placeholder(raw_templates):
    for chart, templates in raw_templates.items():
        for filename, text in templates.items():
            assert set(re.findall(r"\{\{.*?\}\}", text)) <= {PLACEHOLDER}, f"{chart}/{filename}"
            assert "{{" not in text.replace(PLACEHOLDER, ""), f"{chart}/{filename}"
    assert not any(PLACEHOLDER in t for t in raw_templates["workload"].values())


def test_client_id_placeholder_sits_where_workload_identity_reads_it(raw_templates, rendered):
    unrendered = [load_yaml(t) for t in raw_templates["traefik"].values()]
    account = one(unrendered, "ServiceAccount")
    spc = one(unrendered, "SecretProviderClass")
    assert account["metadata"]["annotations"]["azure.workload.identity/client-id"] == PLACEHOLDER
    assert spc["spec"]["parameters"]["clientID"] == PLACEHOLDER
    # ...and Helm's output carries the value as a plain YAML string.
    assert one(rendered["traefik"], "SecretProviderClass")["spec"]["parameters"]["clientID"] == CLIENT_ID
    text = "".join(raw_templates["traefik"].values())
    assert text.count(PLACEHOLDER) == 2


def test_render_for_validation_refuses_other_templating_and_missing_values():
    with pytest.raises(ValueError, match=r"outside the allowed placeholders"):
        render_for_validation("name: {{ .Release.Name }}", {})
    with pytest.raises(ValueError, match=r"no value for \['ingressIdentityClientId'\]"):
        render_for_validation(f"id: '{PLACEHOLDER}'", {})
    assert render_for_validation(f"id: '{PLACEHOLDER}'", {INGRESS_IDENTITY_CLIENT_ID: "x"}) == "id: 'x'"


def test_values_schema_makes_the_client_id_mandatory(charts):
    traefik, workload = charts["traefik"], charts["workload"]
    schema = json.loads((traefik / "values.schema.json").read_text())
    defaults = load_yaml((traefik / "values.yaml").read_text())
    assert defaults == {INGRESS_IDENTITY_CLIENT_ID: ""}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(defaults, schema)  # an install without --set fails up front
    jsonschema.validate({INGRESS_IDENTITY_CLIENT_ID: CLIENT_ID}, schema)
    assert not (workload / "values.schema.json").exists()


def test_chart_metadata_and_template_names(charts, settings):
    chart = load_yaml((charts["traefik"] / "Chart.yaml").read_text())
    assert chart == {"apiVersion": "v2", "name": "traefik-ingress", "version": "1.0.0", "appVersion": "v3.4.5",
                     "type": "application", "description": chart["description"]}
    names = sorted(p.name for p in (charts["workload"] / "templates").iterdir())
    manifests = workload_manifests(settings)
    assert len(names) == len(manifests)
    assert names[0] == f"00-{manifests[0]['kind'].lower()}-{manifests[0]['metadata']['name']}.yaml"
    assert all(re.match(r"^\d{2}-[a-z]+-[a-z0-9-]+\.yaml$", n) for n in names)


def test_writing_a_chart_is_deterministic(settings, tmp_path):
    def snapshot(folder: Path) -> dict[str, bytes]:
        return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    first = write_chart(tmp_path / "a", "traefik-ingress", "1.0.0", "v3.4.5", traefik_manifests(settings))
    second = write_chart(tmp_path / "b", "traefik-ingress", "1.0.0", "v3.4.5", traefik_manifests(settings))
    assert snapshot(first) == snapshot(second)
    # Rewriting a folder with fewer manifests leaves no stale template behind.
    write_chart(first, "traefik-ingress", "1.0.0", "v3.4.5", traefik_manifests(settings)[:2])
    assert len(list((first / "templates").iterdir())) == 2


@pytest.mark.parametrize("name, version, manifests, message", [
    ("Traefik", "1.0.0", [{"apiVersion": "v1", "kind": "A", "metadata": {"name": "a"}}], r"^name: .*Helm chart name"),
    ("x", "1.0", [{"apiVersion": "v1", "kind": "A", "metadata": {"name": "a"}}], r"^version: .*SemVer"),
    ("x", "1.0.0", [], r"^manifests: a chart needs at least one manifest"),
    ("x", "1.0.0", [{"kind": "A", "metadata": {"name": "a"}}], r"manifest #0: needs apiVersion"),
    ("x", "1.0.0", [{"apiVersion": "v1", "kind": "A", "metadata": {"name": "{{ .Release.Name }}"}}],
     r"outside the allowed placeholders"),
])
def test_write_chart_rejects(tmp_path, name, version, manifests, message):
    with pytest.raises(ValueError, match=message):
        write_chart(tmp_path / "c", name, version, "1", manifests)


def test_replicas_are_spread_across_nodes_of_the_user_pool(objects, settings):
    for deployment, spec in pod_specs(objects):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        terms = spec["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert any(t["topologyKey"] == "kubernetes.io/hostname" and selects(t["labelSelector"], labels)
                   for t in terms), deployment["metadata"]["name"]
        assert spec["nodeSelector"] == {"agentpool": settings.user_pool_name}
    app = one(objects, "Deployment", "aspnetapp-deployment")["spec"]["template"]["spec"]
    preferred = app["affinity"]["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert selects(preferred[0]["podAffinityTerm"]["labelSelector"], pod_labels(objects, "traefik-ingress-controller"))


def test_every_container_has_probes_on_a_declared_port(objects):
    for where, container in containers(objects):
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        for probe in ("readinessProbe", "livenessProbe"):
            assert probe in container, f"{where} has no {probe}"
            assert container[probe]["httpGet"]["port"] in ports, f"{where} {probe} port"
    traefik = one(objects, "Deployment", "traefik-ingress-controller")["spec"]["template"]["spec"]["containers"][0]
    for probe, failures in (("readinessProbe", 1), ("livenessProbe", 3)):
        assert traefik[probe]["httpGet"] == {"path": "/ping", "port": "traefik"}
        assert (traefik[probe]["failureThreshold"], traefik[probe]["initialDelaySeconds"],
                traefik[probe]["periodSeconds"], traefik[probe]["timeoutSeconds"]) == (failures, 10, 10, 2)


def test_every_container_has_requests_and_limits_within_the_policy_maximum(objects):
    for where, container in containers(objects):
        resources = container["resources"]
        for quantity, parse in (("cpu", cpu_millicores), ("memory", memory_mebibytes)):
            request = parse(resources["requests"][quantity])
            limit = parse(resources["limits"][quantity])
            assert 0 < request <= limit <= parse(POLICY_MAX_LIMITS[quantity]), f"{where} {quantity}"


def test_quota_covers_the_hpa_maximum_and_traefik_with_a_rollout_surge(objects, settings):
    hard = one(objects, "ResourceQuota")["spec"]["hard"]
    hpa = one(objects, "HorizontalPodAutoscaler")
    pods = {"aspnetapp-deployment": hpa["spec"]["maxReplicas"] + 1,
            "traefik-ingress-controller": settings.traefik_replicas + 1}
    assert sum(pods.values()) <= int(hard["pods"]) <= sum(pods.values()) + 2  # + a terminating pod each
    for scope in ("requests", "limits"):
        for quantity, parse in (("cpu", cpu_millicores), ("memory", memory_mebibytes)):
            need = sum(pods[d["metadata"]["name"]] * parse(c["resources"][scope][quantity])
                       for d, spec in pod_specs(objects) for c in spec["containers"])
            assert parse(hard[f"{scope}.{quantity}"]) >= need, f"{scope}.{quantity}"
    assert hard["services.loadbalancers"] == "1"
    limits = one(objects, "LimitRange")["spec"]["limits"][0]
    assert limits["max"] == POLICY_MAX_LIMITS
    assert limits["type"] == "Container" and set(limits) >= {"default", "defaultRequest"}


def test_rollouts_keep_capacity_and_can_always_progress(objects):
    traefik = one(objects, "Deployment", "traefik-ingress-controller")["spec"]["strategy"]["rollingUpdate"]
    app = one(objects, "Deployment", "aspnetapp-deployment")["spec"]["strategy"]["rollingUpdate"]
    assert traefik == {"maxSurge": 1, "maxUnavailable": 0}
    # At the HPA maximum every node holds an app replica; only maxUnavailable lets a rollout move.
    assert app["maxUnavailable"] == 1


# --------------------------------------------------------------------- availability, scaling

def test_disruption_budgets_never_block_a_node_drain(objects):
    budgets = of_kind(objects, "PodDisruptionBudget")
    assert len(budgets) == 2
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(objects, "HorizontalPodAutoscaler")}
    for pdb in budgets:
        targets = [d for d in of_kind(objects, "Deployment")
                   if selects(pdb["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])]
        assert len(targets) == 1, pdb["metadata"]["name"]
        deployment = targets[0]
        name = deployment["metadata"]["name"]
        min_replicas = hpas[name]["spec"]["minReplicas"] if name in hpas else deployment["spec"]["replicas"]
        if "minAvailable" in pdb["spec"]:
            disruptions = min_replicas - pdb["spec"]["minAvailable"]
        else:
            disruptions = pdb["spec"]["maxUnavailable"]
        assert disruptions >= 1, f"{pdb['metadata']['name']} allows {disruptions} evictions at {min_replicas} replicas"
        assert pdb["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow"


def test_hpa_scales_the_app_on_cpu_within_the_configured_bounds(objects, settings):
    hpa = one(objects, "HorizontalPodAutoscaler")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (settings.app_min_replicas, settings.app_max_replicas)
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "aspnetapp-deployment"}
    assert hpa["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    # The HPA owns the replica count: a fixed one would be reset by every helm upgrade.
    assert "replicas" not in one(objects, "Deployment", "aspnetapp-deployment")["spec"]
    assert one(objects, "Deployment", "traefik-ingress-controller")["spec"]["replicas"] == settings.traefik_replicas


# --------------------------------------------------------------------------------- security

def test_every_pod_meets_pod_security_restricted(objects):
    for deployment, spec in pod_specs(objects):
        name = deployment["metadata"]["name"]
        pod = spec.get("securityContext", {})
        assert not any(spec.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")), name
        assert {next(k for k in v if k != "name") for v in spec["volumes"]} <= RESTRICTED_VOLUMES, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["runAsUser"] > 0 and pod["runAsGroup"] > 0, name
        for container in spec["containers"]:
            sc = {**pod, **container["securityContext"]}
            assert sc["runAsNonRoot"] is True, name
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc.get("privileged", False) is False, name
            assert sc["capabilities"] == {"drop": ["ALL"]}, name
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, name
            assert not any("hostPort" in p for p in container["ports"]), name
            assert not any(m["mountPath"] == "/" for m in container["volumeMounts"]), name


def test_images_come_only_from_the_registry_and_are_pinned(objects):
    for where, container in containers(objects):
        image = container["image"]
        assert image.startswith(f"{REGISTRY}/"), where
        repository, _, tag = image[len(REGISTRY) + 1:].split("@")[0].rpartition(":")
        assert repository and tag and tag != "latest", where
        assert container["imagePullPolicy"] == "Always", where
    assert one(objects, "Deployment", "traefik-ingress-controller")["spec"]["template"]["spec"]["containers"][0][
        "image"] == f"{REGISTRY}/traefik:v3.4.5"


def test_service_account_tokens_only_where_the_api_is_used(objects):
    traefik = one(objects, "Deployment", "traefik-ingress-controller")["spec"]["template"]["spec"]
    app = one(objects, "Deployment", "aspnetapp-deployment")["spec"]["template"]["spec"]
    assert traefik["automountServiceAccountToken"] is True  # Kubernetes Ingress provider
    assert app["automountServiceAccountToken"] is False
    assert one(objects, "ServiceAccount", app["serviceAccountName"])["automountServiceAccountToken"] is False
    assert traefik["serviceAccountName"] == "traefik-ingress-controller"  # federated credential subject


def test_traefik_rbac_is_least_privilege(objects, settings):
    rules = {(o["kind"], o["metadata"]["name"]): o["rules"] for o in objects if o["kind"] in ("ClusterRole", "Role")}
    for (kind, _), role_rules in rules.items():
        for rule in role_rules:
            for key in ("apiGroups", "resources", "verbs"):
                assert "*" not in rule[key], f"{kind} wildcard in {key}"
            writes = set(rule["verbs"]) - {"get", "list", "watch"}
            assert not writes or (rule["resources"] == ["ingresses/status"] and writes == {"update"}), rule
    cluster_resources = {r for rule in rules[("ClusterRole", "traefik-ingress-controller")] for r in rule["resources"]}
    assert cluster_resources == {"ingressclasses", "nodes"}  # secrets are readable in one namespace only
    role = one(objects, "Role")
    assert role["metadata"]["namespace"] == settings.namespace
    assert "secrets" in {r for rule in role["rules"] for r in rule["resources"]}
    for binding in of_kind(objects, "RoleBinding") + of_kind(objects, "ClusterRoleBinding"):
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "traefik-ingress-controller",
                                        "namespace": settings.namespace}]


def test_workload_identity_and_key_vault_wiring(objects, settings):
    traefik = one(objects, "Deployment", "traefik-ingress-controller")["spec"]["template"]
    assert traefik["metadata"]["labels"]["azure.workload.identity/use"] == "true"
    assert one(objects, "ServiceAccount", "traefik-ingress-controller")["metadata"]["annotations"] == {
        "azure.workload.identity/client-id": CLIENT_ID}
    spc = one(objects, "SecretProviderClass")
    assert spc["spec"]["provider"] == "azure"
    params = spc["spec"]["parameters"]
    assert (params["usePodIdentity"], params["useVMManagedIdentity"]) == ("false", "false")
    assert (params["clientID"], params["keyvaultName"], params["tenantId"]) == (
        CLIENT_ID, settings.key_vault_name, settings.tenant_id)
    volumes = {v["name"]: v for v in traefik["spec"]["volumes"]}
    csi = next(v["csi"] for v in volumes.values() if "csi" in v)
    assert csi == {"driver": "secrets-store.csi.k8s.io", "readOnly": True,
                   "volumeAttributes": {"secretProviderClass": spc["metadata"]["name"]}}


def test_every_mount_has_a_volume_and_config_sources_exist(objects):
    for deployment, spec in pod_specs(objects):
        volumes = {v["name"]: v for v in spec["volumes"]}
        for container in spec["containers"]:
            for mount in container["volumeMounts"]:
                assert mount["name"] in volumes, f"{deployment['metadata']['name']}: {mount['name']}"
        for volume in volumes.values():
            if "configMap" in volume:
                one(objects, "ConfigMap", volume["configMap"]["name"])
    traefik = one(objects, "Deployment", "traefik-ingress-controller")["spec"]["template"]["spec"]
    mounts = {m["mountPath"]: m for m in traefik["containers"][0]["volumeMounts"]}
    assert mounts["/config"].get("readOnly") and mounts["/certs"].get("readOnly")
    assert {"/data", "/tmp"} <= set(mounts)
    app = one(objects, "Deployment", "aspnetapp-deployment")["spec"]["template"]["spec"]
    assert [m["mountPath"] for m in app["containers"][0]["volumeMounts"]] == ["/tmp"]


# ------------------------------------------------------------------------------------ network

def test_namespace_denies_all_traffic_by_default(objects, settings):
    deny = [p for p in of_kind(objects, "NetworkPolicy") if p["spec"]["podSelector"] == {}
            and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert len(deny) == 1 and deny[0]["metadata"]["namespace"] == settings.namespace


def test_only_traefik_reaches_the_app_and_only_on_8080(objects, settings):
    app = pod_labels(objects, "aspnetapp-deployment")
    traefik_selector = tuple(sorted({"app.kubernetes.io/name": "traefik-ingress-ilb",
                                     "app.kubernetes.io/instance": "traefik-ingress-ilb"}.items()))
    assert allowed(objects, settings.namespace, app, "Ingress") == {
        (("pods", "same-namespace", traefik_selector), "TCP", 8080)}
    assert selects({"matchLabels": dict(traefik_selector)}, pod_labels(objects, "traefik-ingress-controller"))
    assert one(objects, "Deployment", "aspnetapp-deployment")["spec"]["template"]["spec"]["containers"][0][
        "ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]


def test_traefik_accepts_traffic_only_from_the_app_gateway_subnet(objects, settings):
    traefik = pod_labels(objects, "traefik-ingress-controller")
    assert allowed(objects, settings.namespace, traefik, "Ingress") == {
        (("ipBlock", settings.app_gateway_subnet_cidr, ()), "TCP", 8443),
        # Prometheus scraping of the metrics entrypoint by the Azure Monitor agents.
        (("pods", tuple(KUBE_SYSTEM.items()), "all-pods"), "TCP", 8082),
    }


def test_egress_is_limited_to_dns_the_app_and_the_api_server(objects, settings):
    dns = {(("pods", tuple(KUBE_SYSTEM.items()), (("k8s-app", "kube-dns"),)), proto, 53) for proto in ("UDP", "TCP")}
    traefik = pod_labels(objects, "traefik-ingress-controller")
    app = pod_labels(objects, "aspnetapp-deployment")
    assert allowed(objects, settings.namespace, traefik, "Egress") == dns | {
        (("pods", "same-namespace", tuple(sorted(app.items()))), "TCP", 8080),
        (("ipBlock", settings.api_server_egress_cidr, ()), "TCP", 443),
    }
    assert allowed(objects, settings.namespace, app, "Egress") == dns


def test_under_cilium_traefik_may_also_reach_the_api_server_as_an_entity(objects, tmp_path):
    # Cilium identifies the API server as the reserved `kube-apiserver` entity and may not match
    # it by CIDR; the CiliumNetworkPolicy adds that path, only to 443, only for Traefik.
    (policy,) = of_kind(objects, "CiliumNetworkPolicy")
    assert selects(policy["spec"]["endpointSelector"], pod_labels(objects, "traefik-ingress-controller"))
    assert not selects(policy["spec"]["endpointSelector"], pod_labels(objects, "aspnetapp-deployment"))
    assert policy["spec"] == {
        "endpointSelector": policy["spec"]["endpointSelector"],
        "egress": [{"toEntities": ["kube-apiserver"], "toPorts": [{"ports": [{"port": "443", "protocol": "TCP"}]}]}],
    }
    npm = traefik_manifests(WorkloadManifestSettings(**SAMPLE, network_data_plane="azure"))
    assert not of_kind(npm, "CiliumNetworkPolicy"), "Azure Network Policy Manager has no such CRD"


def test_every_network_policy_selects_existing_pods(objects):
    templates = [d["spec"]["template"]["metadata"]["labels"] for d in of_kind(objects, "Deployment")]
    for policy in of_kind(objects, "NetworkPolicy"):
        assert any(selects(policy["spec"]["podSelector"], labels) for labels in templates), policy["metadata"]["name"]


def test_load_balancer_is_internal_on_the_static_ip(objects, settings):
    service = one(objects, "Service", "traefik-ingress-service")
    annotations = service["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/azure-load-balancer-internal"] == "true"
    assert annotations["service.beta.kubernetes.io/azure-load-balancer-ipv4"] == settings.ingress_load_balancer_ip
    assert annotations["service.beta.kubernetes.io/azure-load-balancer-internal-subnet"] == settings.ingress_subnet_name
    spec = service["spec"]
    assert spec["type"] == "LoadBalancer" and "loadBalancerIP" not in spec and "externalIPs" not in spec
    assert spec["externalTrafficPolicy"] == "Local"
    assert spec["ports"] == [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": "websecure"}]
    container = one(objects, "Deployment", "traefik-ingress-controller")["spec"]["template"]["spec"]["containers"][0]
    assert {p["name"]: p["containerPort"] for p in container["ports"]}["websecure"] == 8443
    assert selects({"matchLabels": spec["selector"]}, pod_labels(objects, "traefik-ingress-controller"))
    app_service = one(objects, "Service", "aspnetapp-service")["spec"]
    assert app_service["type"] == "ClusterIP"
    assert app_service["ports"] == [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}]
    assert selects({"matchLabels": app_service["selector"]}, pod_labels(objects, "aspnetapp-deployment"))


# --------------------------------------------------------------------------- traefik routing

def test_tls_is_1_2_minimum_with_strong_ciphers(objects):
    _, dynamic = config_files(objects)
    options = dynamic["tls"]["options"]["default"]
    assert options["minVersion"] == "VersionTLS12" and options["sniStrict"] is True
    assert options["cipherSuites"] and all(
        c.startswith("TLS_ECDHE_") and ("_GCM_" in c or "CHACHA20" in c) for c in options["cipherSuites"])


def test_the_key_vault_certificate_reaches_traefik_as_a_synced_secret_so_renewals_need_no_restart(objects):
    # Traefik never re-reads certificate files its file provider names (traefik/traefik#13463);
    # it does reload a Secret an Ingress names. The CSI driver keeps that Secret equal to Key Vault.
    _, dynamic = config_files(objects)
    assert "stores" not in dynamic["tls"] and "certFile" not in json.dumps(dynamic)
    spc = one(objects, "SecretProviderClass")
    (synced,) = spc["spec"]["secretObjects"]
    assert synced["type"] == "kubernetes.io/tls"
    assert {(d["objectName"], d["key"]) for d in synced["data"]} == {("tls.key", "tls.key"), ("tls.crt", "tls.crt")}
    assert one(objects, "Ingress")["spec"]["tls"][0]["secretName"] == synced["secretName"]
    # The driver syncs only while a pod mounts the volume: Traefik keeps mounting it.
    volumes = one(objects, "Deployment", "traefik-ingress-controller")["spec"]["template"]["spec"]["volumes"]
    assert any(v.get("csi", {}).get("volumeAttributes", {}).get("secretProviderClass") == spc["metadata"]["name"]
               for v in volumes)
    rules = one(objects, "Role", "traefik-ingress-controller")["rules"]
    assert any("secrets" in r["resources"] and {"get", "list", "watch"} <= set(r["verbs"]) for r in rules)


def test_allow_list_middleware_admits_only_the_app_gateway_subnet(objects, settings):
    static, dynamic = config_files(objects)
    middlewares = dynamic["http"]["middlewares"]
    assert middlewares["app-gateway-snet"] == {"ipAllowList": {"sourceRange": [settings.app_gateway_subnet_cidr]}}
    assert "ipWhiteList" not in json.dumps(dynamic)  # deprecated v2 name
    assert static["entryPoints"]["websecure"]["forwardedHeaders"]["trustedIPs"] == [settings.app_gateway_subnet_cidr]


def test_static_config_matches_the_objects_it_refers_to(objects, settings):
    static, _ = config_files(objects)
    container = one(objects, "Deployment", "traefik-ingress-controller")["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert {name: int(ep["address"].lstrip(":")) for name, ep in static["entryPoints"].items()} == ports
    provider = static["providers"]["kubernetesIngress"]
    assert provider["ingressClass"] == one(objects, "IngressClass")["metadata"]["name"] == \
        one(objects, "Ingress")["spec"]["ingressClassName"]
    assert provider["namespaces"] == [settings.namespace]
    published_ns, published_name = provider["ingressEndpoint"]["publishedService"].split("/")
    assert one(objects, "Service", published_name)["metadata"]["namespace"] == published_ns
    assert one(objects, "IngressClass")["spec"]["controller"] == "traefik.io/ingress-controller"
    assert static["providers"]["file"] == {"filename": "/config/dynamic.yaml", "watch": True}
    assert container["args"] == ["--configfile=/config/traefik.yaml"]
    assert "api" not in static  # no API, no dashboard
    assert static["global"] == {"checkNewVersion": False, "sendAnonymousUsage": False}
    assert static["log"] == {"level": "ERROR", "format": "json"}
    assert static["ping"]["entryPoint"] == "traefik" and static["metrics"]["prometheus"]["entryPoint"] == "metrics"


def test_ingress_routes_the_internal_host_through_existing_middlewares(objects, settings):
    static, dynamic = config_files(objects)
    ingress = one(objects, "Ingress")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["traefik.ingress.kubernetes.io/router.entrypoints"] in static["entryPoints"]
    assert annotations["traefik.ingress.kubernetes.io/router.tls"] == "true"
    assert annotations["traefik.ingress.kubernetes.io/router.tls.options"] in dynamic["tls"]["options"]
    middlewares = annotations["traefik.ingress.kubernetes.io/router.middlewares"].split(",")
    assert [m.split("@") for m in middlewares] == [["app-gateway-snet", "file"], ["gzip-compress", "file"]]
    assert all(m.split("@")[0] in dynamic["http"]["middlewares"] for m in middlewares)
    spec = ingress["spec"]
    assert spec["tls"] == [{"hosts": [settings.internal_host], "secretName": "aks-ingress-tls"}]
    rule = spec["rules"][0]
    assert rule["host"] == settings.internal_host
    path = rule["http"]["paths"][0]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    backend = path["backend"]["service"]
    assert backend["port"] == {"name": "http"}
    one(objects, "Service", backend["name"])


# -------------------------------------------------------------------------- cluster baseline

def test_every_flux_variable_is_declared_and_used():
    used: set[str] = set()
    for path in CLUSTER_MANIFESTS_DIR.rglob("*.yaml"):
        text = path.read_text()
        used |= set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", text))
        stray = re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}", "", text)
        assert "$" not in stray, f"{path}: '$' outside a ${{VAR}} (Flux would substitute or mangle it)"
        assert "{{" not in text, path
    assert used == set(cluster_manifest_variables())


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl (built-in kustomize) not installed")
def test_kustomize_builds_the_folder_as_flux_does():
    built = subprocess.run(["kubectl", "kustomize", str(CLUSTER_MANIFESTS_DIR)], check=True,
                           capture_output=True, text=True, timeout=120).stdout
    identity = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
    expected = [load_yaml(p.read_text()) for p in cluster_manifest_files()]
    assert sorted(map(identity, yaml.safe_load_all(built))) == sorted(map(identity, expected))


def test_substitute_variables_refuses_an_unset_variable():
    with pytest.raises(ValueError, match=r"no value for \['MISSING'\]"):
        substitute_variables("name: ${MISSING}", {})


def test_namespaces_enforce_pod_security(baseline, settings):
    namespaces = {o["metadata"]["name"]: o["metadata"]["labels"] for o in baseline.values() if o["kind"] == "Namespace"}
    assert namespaces[settings.namespace]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert namespaces["cluster-baseline-settings"]["pod-security.kubernetes.io/enforce"] == "baseline"
    assert set(namespaces) == {settings.namespace, "cluster-baseline-settings"}


def test_rbac_bindings_grant_entra_groups(baseline, settings):
    reader = baseline["workload-namespace/rbac.yaml"]
    assert (reader["kind"], reader["metadata"]["namespace"], reader["roleRef"]["name"]) == (
        "RoleBinding", settings.namespace, "view")
    assert reader["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": READER_GROUP}]
    admin = baseline["cluster-rbac.yaml"]
    assert (admin["kind"], admin["roleRef"]["name"]) == ("ClusterRoleBinding", "cluster-admin")
    assert admin["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": ADMIN_GROUP}]


def test_monitoring_config_maps(baseline, settings):
    metrics = baseline["kube-system/ama-metrics-settings-configmap.yaml"]
    assert (metrics["metadata"]["name"], metrics["metadata"]["namespace"]) == (
        "ama-metrics-settings-configmap", "kube-system")
    data = {k: tomllib.loads(v) for k, v in metrics["data"].items() if k not in ("schema-version", "config-version")}
    enabled = {target for target, on in data["default-scrape-settings-enabled"].items() if on}
    assert enabled == {"kubelet", "cadvisor", "kubestate", "nodeexporter", "kappiebasic", "networkobservabilityRetina",
                       "controlplane-apiserver", "controlplane-etcd"}
    assert data["pod-annotation-based-scraping"]["podannotationnamespaceregex"] == f"kube-system|{settings.namespace}"
    assert data["default-targets-metrics-keep-list"]["minimalingestionprofile"] is True
    assert set(data["default-targets-scrape-interval-settings"].values()) == {"30s"}

    agent = baseline["kube-system/container-azm-ms-agentconfig.yaml"]
    assert agent["metadata"]["namespace"] == "kube-system"
    settings_toml = tomllib.loads(agent["data"]["prometheus-data-collection-settings"])
    prometheus = settings_toml["prometheus_data_collection_settings"]
    assert prometheus["cluster"] == {
        "interval": "1m", "monitor_kubernetes_pods": True,
        "monitor_kubernetes_pods_namespaces": [settings.namespace, "cluster-baseline-settings"]}
    integrations = tomllib.loads(agent["data"]["integrations"])["integrations"]
    assert integrations["azure_subnet_ip_usage"] == {"enabled": True}
    assert integrations["azure_network_policy_manager"] == {"collect_basic_metrics": False,
                                                           "collect_advanced_metrics": False}


# ---------------------------------------------------------------------------------- scanning

def test_write_all_manifests_gives_scanners_every_object_fully_substituted(settings, objects, baseline, tmp_path):
    paths = write_all_manifests(tmp_path, settings)
    assert paths and all(p.is_file() and p.is_relative_to(tmp_path) for p in paths)
    written = []
    for path in paths:
        text = path.read_text()
        assert "{{" not in text and "${" not in text, path
        written.append(load_yaml(text))
    identity = lambda o: (o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])  # noqa: E731
    assert sorted(map(identity, written)) == sorted(map(identity, objects + list(baseline.values())))
    assert write_all_manifests(tmp_path, settings) == paths  # rewrites in place


# ---------------------------------------------------------------------------------- settings

@pytest.mark.parametrize("field, value", [
    ("namespace", "A0008"),
    ("namespace", "kube-system"),
    ("registry_login_server", "https://cr.azurecr.io"),
    ("traefik_image", "traefik"),
    ("traefik_image", "traefik:latest"),
    ("traefik_image", "traefik:latest@sha256:" + "a" * 64),
    ("traefik_image", "traefik@sha256:" + "a" * 64),
    ("app_image", "mcr.microsoft.com/dotnet/samples:aspnetapp"),
    ("user_pool_name", "npuser01-too-long"),
    ("ingress_subnet_name", "snet ingress"),
    ("app_gateway_subnet_cidr", "10.240.5.1/24"),
    ("api_server_egress_cidr", "10.240.7.1/28"),
    ("network_data_plane", "calico"),
    ("ingress_load_balancer_ip", "10.240.4.300"),
    ("ingress_load_balancer_ip", "20.1.2.3"),
    ("ingress_load_balancer_ip", "10.240.5.4"),
    ("internal_host", "Bad_Host"),
    ("key_vault_name", "kv--double"),
    ("tenant_id", "not-a-guid"),
    ("ingress_certificate_name", "cert.with.dots"),
    ("traefik_replicas", 1),
    ("app_min_replicas", 1),
    ("app_max_replicas", 1),
    ("kubernetes_version", "v1.35"),
])
def test_settings_reject_invalid_values(field, value):
    with pytest.raises(ValueError, match=rf"^{field}: "):
        WorkloadManifestSettings(**{**SAMPLE, field: value})


def test_settings_defaults_are_the_reference_values(settings):
    assert (settings.namespace, settings.user_pool_name, settings.ingress_load_balancer_ip,
            settings.app_gateway_subnet_cidr, settings.traefik_replicas) == (
        "a0008", "npuser01", "10.240.4.4", "10.240.5.0/24", 2)
    assert settings.app_image_ref == f"{REGISTRY}/dotnet/samples:aspnetapp-9.0"
    assert settings.kubernetes_minor == "1.35"


def test_settings_accept_a_digest_after_the_tag():
    image = "traefik:v3.4.5@sha256:" + "0123456789abcdef" * 4
    assert WorkloadManifestSettings(**SAMPLE, traefik_image=image).traefik_image_ref == f"{REGISTRY}/{image}"


def test_helm_value_knows_only_declared_values():
    with pytest.raises(ValueError, match=r"helm value 'other' is not one of"):
        helm_value("other")


# ------------------------------------------------------------------------------ Spot pool (cost)

def test_with_a_spot_pool_the_app_tolerates_spot_and_prefers_the_regular_pool(settings):
    spot = WorkloadManifestSettings(**SAMPLE, spot_pool_name="npspot01")
    objects = workload_manifests(spot)
    assert not [e for o in objects for e in validation_errors(o, spot.kubernetes_version)]
    pod = one(objects, "Deployment")["spec"]["template"]["spec"]
    assert "nodeSelector" not in pod
    assert pod["tolerations"] == [{"key": "kubernetes.azure.com/scalesetpriority", "operator": "Equal",
                                   "value": "spot", "effect": "NoSchedule"}]
    node = pod["affinity"]["nodeAffinity"]
    assert node["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] == [{"matchExpressions": [
        {"key": "agentpool", "operator": "In", "values": ["npuser01", "npspot01"]}]}]
    assert node["preferredDuringSchedulingIgnoredDuringExecution"] == [{"weight": 100, "preference": {
        "matchExpressions": [{"key": "agentpool", "operator": "In", "values": ["npuser01"]}]}}]
    # Still one replica per node, and drains (and scale-in of a pool that may reach zero) proceed one pod
    # at a time; Spot evictions ignore the budget, which is why the app prefers the regular pool.
    assert pod["affinity"]["podAntiAffinity"] == one(workload_manifests(settings), "Deployment")[
        "spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
    assert one(objects, "PodDisruptionBudget")["spec"]["maxUnavailable"] == 1
    # Traefik (the App Gateway's backend) never runs on Spot.
    traefik = one(traefik_manifests(spot), "Deployment")["spec"]["template"]["spec"]
    assert traefik["nodeSelector"] == {"agentpool": "npuser01"} and "tolerations" not in traefik


def test_without_a_spot_pool_the_app_is_pinned_to_the_user_pool(settings):
    pod = one(workload_manifests(settings), "Deployment")["spec"]["template"]["spec"]
    assert pod["nodeSelector"] == {"agentpool": "npuser01"}
    assert "tolerations" not in pod and "nodeAffinity" not in pod["affinity"]


def test_the_spot_pool_needs_a_name_of_its_own():
    with pytest.raises(ValueError, match=r"spot_pool_name: 'npuser01' is also the user pool's name"):
        WorkloadManifestSettings(**SAMPLE, spot_pool_name="npuser01")
