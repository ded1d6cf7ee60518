"""ClusterPolicies: the baseline's policy assignments (definitions, effects, parameters), the
custom Ingress TLS definition and its Gatekeeper template, and every validation rule."""

from __future__ import annotations

import base64
import dataclasses
import json
import re

import pytest

from constructs_lib.cluster.policies import ClusterPolicies, ClusterPoliciesProps
from tests.envfiles import load_yaml
from tests.synth import StackJson, empty_stack, synth_construct

RG_ID = "/subscriptions/s/resourceGroups/rg-bu0001a0008-prod-eastus2"
CLUSTER = "aks-bu0001a0008-prod-eastus2"
PROPS = ClusterPoliciesProps(
    resource_group_id=RG_ID,
    cluster_name=CLUSTER,
    registry_login_server="crbu0001a0008prodeus2ab12c.azurecr.io",
    workload_namespaces=("a0008",),
    ingress_domain_suffix="contoso.com",
)
STD3 = ["kube-system", "gatekeeper-system", "azure-arc"]
STD4 = [*STD3, "flux-system"]

# Inventory §8: row -> (definition GUID, effect). Typed out here, independently of the construct.
EXPECTED = {
    "PodSecurityRestricted": ("42b8ef37-b724-4e24-bbc8-7a7708edfe00", "Audit"),
    "HttpsOnly": ("1a5b4dca-0b6f-4cf5-907c-56316bc1bf3d", "Deny"),
    "InternalLoadBalancers": ("3fc4dc25-5baf-40d8-9b05-7fe74c1bc64e", "Deny"),
    "ReadOnlyRootFileSystem": ("df49d893-a74c-421d-bc95-c663042e5b80", "Deny"),
    "ResourceLimits": ("e345eecc-fa47-480f-9e88-67dcc122b164", "Deny"),
    "AllowedImages": ("febd0533-8e55-448f-b837-bd0e06f16469", "Deny"),
    "AllowedHostPaths": ("098fc59e-46c7-4d99-9b16-64990e543d75", "Deny"),
    "AllowedExternalIps": ("d46c275d-1680-448d-b2ec-e495a3b6cc89", "Deny"),
    "NoEndpointEditOnAggregateToEdit": ("1ddac26b-ed48-4c30-8cc5-3a68c79b8001", "Audit"),
    "NoDefaultNamespace": ("9f061a12-e40d-4183-a00e-171812443373", "Audit"),
    "DefenderProfile": ("a1840de2-8088-4ea8-b153-b4c723e9cb01", "Audit"),
    "EntraIntegration": ("450d2877-ebea-41e8-b00c-e286317d21bf", "Audit"),
    "LocalAuthDisabled": ("993c2fcd-2b29-49d2-9eb0-df2c3a730c32", "Deny"),
    "PolicyAddOn": ("0a15ec92-a229-4763-bb14-0ea34a568f8d", "Audit"),
    "AuthorizedIpRanges": ("0e246bcf-5f6f-4f87-bc6f-775d4712c7ea", "Audit"),
    "NonVulnerableVersion": ("fb893a29-21bb-418c-a157-e99480ec364c", "Audit"),
    "RbacEnabled": ("ac4a19c2-fa67-49b4-8ae5-0b2e78c49457", "Audit"),
    "ManagedIdentities": ("da6e2401-19da-4532-9141-fb8fbde08431", "Audit"),
    "RegistryAnonymousPullDisabled": ("9f2dea28-e834-476c-99c5-3507b4728395", "Deny"),
    "RegistryAdminUserDisabled": ("dc921057-6b28-4fbe-9b83-f7bec05db6c2", "Deny"),
}


@pytest.fixture(scope="module")
def out() -> StackJson:
    def build(stack):
        ClusterPolicies(stack, "Policies", PROPS)
        ClusterPolicies(stack, "LongName", dataclasses.replace(
            PROPS, cluster_name="a" * 63, ingress_tls_definition_name="IngressTlsLongName"))
    return synth_construct(build)


def assignments(out: StackJson, construct: str = "Policies") -> dict[str, dict]:
    """Assignments of one construct instance, by construct key (from the logical ID)."""
    found = {}
    for logical_id, body in out.resources("azurerm_resource_group_policy_assignment").items():
        owner, key, _hash = logical_id.split("_")
        if owner == construct:
            found[key] = body
    return found


def params(assignment: dict) -> dict:
    return {name: value["value"] for name, value in json.loads(assignment["parameters"]).items()}


def test_every_baseline_built_in_is_assigned_with_its_definition_and_effect(out):
    found = assignments(out)
    assert set(found) == {*EXPECTED, "IngressTlsDomainSuffix"}
    for key, (guid, effect) in EXPECTED.items():
        kind = "policySetDefinitions" if key == "PodSecurityRestricted" else "policyDefinitions"
        assert found[key]["policy_definition_id"] == f"/providers/Microsoft.Authorization/{kind}/{guid}", key
        assert params(found[key])["effect"] == effect, key


def test_assignments_are_enforced_at_the_resource_group_with_cluster_display_names(out):
    found = assignments(out)
    names = [body["name"] for body in found.values()]
    assert len(set(names)) == len(names)
    for key, body in found.items():
        assert body["resource_group_id"] == RG_ID, key
        assert body["enforce"] is True, key
        assert body["display_name"].startswith(f"[{CLUSTER}] "), key
        assert len(body["name"]) <= 64 and re.fullmatch(r"[a-z0-9-]+", body["name"]), key


def test_names_differ_per_cluster_and_display_names_fit_for_the_longest_cluster_name(out):
    ours = {body["name"] for body in assignments(out).values()}
    long = assignments(out, "LongName")
    assert ours.isdisjoint(body["name"] for body in long.values())
    assert all(len(body["display_name"]) <= 128 for body in long.values())


def test_excluded_namespaces_follow_the_baseline(out):
    found = {key: params(body) for key, body in assignments(out).items()}
    assert found["PodSecurityRestricted"]["excludedNamespaces"] == [*STD4, "cluster-baseline-settings", "a0008"]
    for key in ("HttpsOnly", "InternalLoadBalancers", "IngressTlsDomainSuffix"):
        assert found[key]["excludedNamespaces"] == [], key
    for key in ("ReadOnlyRootFileSystem", "ResourceLimits", "AllowedHostPaths"):
        assert found[key]["excludedNamespaces"] == STD4, key
    for key in ("AllowedImages", "AllowedExternalIps", "NoEndpointEditOnAggregateToEdit", "NoDefaultNamespace"):
        assert found[key]["excludedNamespaces"] == STD3, key
    for key in ("DefenderProfile", "LocalAuthDisabled", "RegistryAdminUserDisabled"):
        assert set(found[key]) == {"effect"}, key


def test_workload_parameters(out):
    found = {key: params(body) for key, body in assignments(out).items()}
    assert (found["ResourceLimits"]["cpuLimit"], found["ResourceLimits"]["memoryLimit"]) == ("500m", "256Mi")
    assert found["AllowedHostPaths"]["allowedHostPaths"] == {"paths": []}
    assert found["AllowedExternalIps"]["allowedExternalIPs"] == []
    assert found["NoDefaultNamespace"]["namespaces"] == ["default"]
    assert found["ReadOnlyRootFileSystem"]["excludedContainers"] == []


@pytest.mark.parametrize("image, allowed", [
    ("crbu0001a0008prodeus2ab12c.azurecr.io/a0008/web:1.0", True),
    ("mcr.microsoft.com/oss/kubernetes/pause:3.9", True),
    ("docker.io/library/nginx:1.27", False),
    ("nginx:1.27", False),
    ("crbu0001a0008prodeus2ab12cXazurecr.io/web:1", False),          # the dots are literal
    ("evil.example/crbu0001a0008prodeus2ab12c.azurecr.io/web:1", False),  # anchored at the start
    ("othercr.azurecr.io/web:1", False),
])
def test_allowed_images_regex_admits_only_the_registry_and_mcr(out, image, allowed):
    regex = params(assignments(out)["AllowedImages"])["allowedContainerImagesRegex"]
    # Gatekeeper's regex.match searches (it is not anchored), so re.search is the faithful model.
    assert bool(re.search(regex, image)) is allowed


def test_parameters_are_canonical_json(out):
    for key, body in assignments(out).items():
        canonical = json.dumps(json.loads(body["parameters"]), sort_keys=True, separators=(",", ":"))
        assert body["parameters"] == canonical, key


def test_custom_definition_is_a_kubernetes_policy_with_an_inline_template(out):
    definition = out.named("azurerm_policy_definition", "K8sCustomIngressTlsHostsHaveDefinedDomainSuffix")
    assert (definition["policy_type"], definition["mode"]) == ("Custom", "Microsoft.Kubernetes.Data")
    assert "management_group_id" not in definition
    rule = json.loads(definition["policy_rule"])
    assert rule["if"] == {"field": "type", "in": ["Microsoft.ContainerService/managedClusters"]}
    details = rule["then"]["details"]
    assert rule["then"]["effect"] == "[parameters('effect')]"
    assert details["templateInfo"]["sourceType"] == "Base64Encoded"
    assert (details["apiGroups"], details["kinds"]) == (["networking.k8s.io"], ["Ingress"])
    assert details["values"] == {"allowedDomainSuffixes": "[parameters('allowedDomainSuffixes')]"}
    declared = json.loads(definition["parameters"])
    referenced = set(re.findall(r"\[parameters\('(\w+)'\)\]", definition["policy_rule"]))
    assert referenced == set(declared) == {"effect", "excludedNamespaces", "namespaces", "labelSelector",
                                           "allowedDomainSuffixes"}
    assert "defaultValue" not in declared["allowedDomainSuffixes"]
    assert {"deny", "Deny", "audit", "Audit"} <= set(declared["effect"]["allowedValues"])


def test_template_round_trips_from_base64(out):
    definition = out.named("azurerm_policy_definition", "K8sCustomIngressTlsHostsHaveDefinedDomainSuffix")
    content = json.loads(definition["policy_rule"])["then"]["details"]["templateInfo"]["content"]
    template = load_yaml(base64.b64decode(content, validate=True).decode("utf-8"))
    assert template["apiVersion"].startswith("templates.gatekeeper.sh/")
    assert template["kind"] == "ConstraintTemplate"
    name = template["metadata"]["name"]
    assert name == "k8scustomingresstlshostshavedefineddomainsuffix"
    crd = template["spec"]["crd"]["spec"]
    assert crd["names"]["kind"].lower() == name
    assert crd["validation"]["openAPIV3Schema"]["properties"]["allowedDomainSuffixes"]["type"] == "array"
    [target] = template["spec"]["targets"]
    assert target["target"] == "admission.k8s.gatekeeper.sh"
    rego = target["rego"]
    assert rego.startswith(f"package {name}\n")
    assert 'violation[{"msg": msg}]' in rego
    assert "input.parameters.allowedDomainSuffixes" in rego
    assert "input.review.object.spec.tls" in rego


def _template_rego(out: StackJson) -> str:
    definition = out.named("azurerm_policy_definition", "K8sCustomIngressTlsHostsHaveDefinedDomainSuffix")
    content = json.loads(definition["policy_rule"])["then"]["details"]["templateInfo"]["content"]
    return load_yaml(base64.b64decode(content))["spec"]["targets"][0]["rego"]


@pytest.mark.parametrize("hosts, denied", [
    (["bicycle.contoso.com"], []),
    (["contoso.com"], []),
    (["Bicycle.Contoso.COM"], []),
    (["evilcontoso.com"], ["evilcontoso.com"]),            # a suffix only counts after a dot
    (["contoso.com.evil.io"], ["contoso.com.evil.io"]),
    (["a.contoso.com", "x.fabrikam.com"], ["x.fabrikam.com"]),
])
def test_template_rego_denies_hosts_outside_the_suffix(out, hosts, denied):
    # Evaluated with rego-cpp (PyPI "regopy"), when installed; Gatekeeper runs OPA.
    regopy = pytest.importorskip("regopy")
    interpreter = regopy.Interpreter()
    interpreter.add_module("template", _template_rego(out))
    interpreter.set_input({
        "review": {"kind": {"kind": "Ingress"},
                   "object": {"metadata": {"name": "web"}, "spec": {"tls": [{"hosts": hosts}]}}},
        "parameters": {"allowedDomainSuffixes": ["contoso.com"]},
    })
    result = json.loads(str(interpreter.query(
        "x = data.k8scustomingresstlshostshavedefineddomainsuffix.violation")))
    messages = [json.loads(key)["msg"] for key in result["bindings"]["x"]]
    assert sorted(re.search(r"TLS host (\S+) ", m).group(1) for m in messages) == denied


def test_custom_definition_is_assigned_with_deny_and_the_domain(out):
    assignment = assignments(out)["IngressTlsDomainSuffix"]
    address = out.address("azurerm_policy_definition", "K8sCustomIngressTlsHostsHaveDefinedDomainSuffix")
    assert assignment["policy_definition_id"] == f"${{{address}.id}}"
    assert params(assignment) == {"effect": "Deny", "allowedDomainSuffixes": ["contoso.com"],
                                  "excludedNamespaces": []}


def _build(**changes) -> None:
    ClusterPolicies(empty_stack("invalid"), "Policies", dataclasses.replace(PROPS, **changes))


@pytest.mark.parametrize("changes, message", [
    ({"cluster_name": "-aks"}, r"cluster_name: '-aks' is not an AKS cluster name"),
    ({"registry_login_server": "docker.io"}, r"registry_login_server: 'docker.io' is not a registry login server"),
    ({"registry_login_server": "${azurerm_container_registry.x.login_server}"},
     r"registry_login_server: .* is not a registry login server"),
    ({"registry_login_server": "CRABCDE.azurecr.io"}, r"registry_login_server"),
    ({"workload_namespaces": ()}, r"workload_namespaces: at least one"),
    ({"workload_namespaces": ("A0008",)}, r"workload_namespaces: 'A0008' is not a DNS label"),
    ({"workload_namespaces": ("a0008", "a0008")}, r"workload_namespaces: .* lists a namespace twice"),
    ({"excluded_namespaces": ("kube_system",)}, r"excluded_namespaces: 'kube_system' is not"),
    ({"gitops_namespace": "x" * 64}, r"gitops_namespace: .* is not a DNS label"),
    ({"cluster_settings_namespace": ""}, r"cluster_settings_namespace: '' is not"),
    ({"ingress_domain_suffix": ".contoso.com"}, r"ingress_domain_suffix: '.contoso.com' is not a lowercase DNS name"),
    ({"ingress_domain_suffix": "*.contoso.com"}, r"ingress_domain_suffix"),
    ({"ingress_domain_suffix": "Contoso.com"}, r"ingress_domain_suffix"),
    ({"container_cpu_limit": "500x"}, r"container_cpu_limit: '500x' is not a Kubernetes CPU quantity"),
    ({"container_memory_limit": "256MB"}, r"container_memory_limit: '256MB' is not"),
    ({"ingress_tls_definition_name": "bad name"}, r"ingress_tls_definition_name: 'bad name' must be"),
])
def test_invalid_props_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        _build(**changes)
