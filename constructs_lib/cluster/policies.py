"""Azure Policy for the cluster's resource group: the baseline's built-in Kubernetes, AKS and
registry policies, plus a custom Gatekeeper policy that keeps Ingress TLS hosts inside the
workload's domain.

Every assignment sits at resource-group scope, enforced (`enforcementMode` Default). Built-in
definitions are referenced by their fixed IDs; parameters are JSON written with sorted keys so
two synths are byte-identical.

One deliberate departure from the reference: the allowed-images policy (Deny) admits only images
from the environment's own container registry and from mcr.microsoft.com. The reference also
admits `docker.io/library/...`; every image this baseline runs is imported into the environment's
registry first (or is a Microsoft image), so Docker Hub stays closed. The patterns are anchored
with `^` because Gatekeeper's `regex.match` searches anywhere in the image reference.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from cdktf_cdktf_provider_azurerm.policy_definition import PolicyDefinition
from cdktf_cdktf_provider_azurerm.resource_group_policy_assignment import (
    ResourceGroupPolicyAssignment,
)
from constructs import Construct

from constructs_lib.config.patterns import (
    DNS_LABEL,
    DNS_NAME,
    KUBERNETES_CLUSTER_NAME,
    REGISTRY_LOGIN_SERVER,
)
from constructs_lib.config.rules import POLICY_MAX_LIMITS

_DEFINITION = "/providers/Microsoft.Authorization/policyDefinitions/"
_SET_DEFINITION = "/providers/Microsoft.Authorization/policySetDefinitions/"

_CPU = re.compile(r"^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$")
_MEMORY = re.compile(r"^[1-9][0-9]*(Ki|Mi|Gi|Ti|K|M|G|T)?$")
_DEFINITION_NAME = re.compile(r"^[A-Za-z0-9][-_.A-Za-z0-9]{0,63}$")

INGRESS_TLS_TEMPLATE_NAME = "k8scustomingresstlshostshavedefineddomainsuffix"
"""Name of the Gatekeeper ConstraintTemplate carried by the custom definition."""

# The ConstraintTemplate behind the custom definition. Written for this project: an Ingress is
# rejected when any of its TLS hosts is neither one of the allowed suffixes nor a subdomain of one
# (so "evilcontoso.com" does not pass for "contoso.com"). Matching is case-insensitive.
INGRESS_TLS_CONSTRAINT_TEMPLATE = f"""\
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: {INGRESS_TLS_TEMPLATE_NAME}
spec:
  crd:
    spec:
      names:
        kind: K8sCustomIngressTlsHostsHaveDefinedDomainSuffix
      validation:
        openAPIV3Schema:
          type: object
          properties:
            allowedDomainSuffixes:
              description: DNS suffixes an Ingress TLS host must equal or end with (after a dot).
              type: array
              items:
                type: string
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package {INGRESS_TLS_TEMPLATE_NAME}

        violation[{{"msg": msg}}] {{
          input.review.kind.kind == "Ingress"
          host := input.review.object.spec.tls[_].hosts[_]
          not host_allowed(lower(host))
          name := input.review.object.metadata.name
          suffixes := input.parameters.allowedDomainSuffixes
          msg := sprintf("Ingress %v: TLS host %v is outside the allowed domain suffixes %v", [name, host, suffixes])
        }}

        host_allowed(host) {{
          allowed := input.parameters.allowedDomainSuffixes[_]
          host == lower(allowed)
        }}

        host_allowed(host) {{
          allowed := input.parameters.allowedDomainSuffixes[_]
          endswith(host, concat("", [".", lower(allowed)]))
        }}
"""


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _values(**parameters: Any) -> str:
    """Assignment parameters in ARM shape: {"name": {"value": ...}}."""
    return _json({name: {"value": value} for name, value in parameters.items()})


@dataclass(frozen=True)
class ClusterPoliciesProps:
    """Inputs of the cluster's policy assignments."""

    resource_group_id: str
    """Scope of every assignment: the cluster's resource group."""
    cluster_name: str
    """AKS cluster name; prefixes every display name as "[<cluster>] ..." and seeds the
    assignment names."""
    registry_login_server: str
    """Login server of the environment's registry (e.g. crxxx.azurecr.io), a literal string:
    it is escaped into the allowed-images regex at synth time."""
    workload_namespaces: tuple[str, ...]
    """Workload namespaces (reference: a0008); left out of the pod-security audit, as in the
    reference."""
    ingress_domain_suffix: str
    """DNS suffix every Ingress TLS host must be in (reference: the workload's domain name)."""
    excluded_namespaces: tuple[str, ...] = field(
        default_factory=lambda: ("kube-system", "gatekeeper-system", "azure-arc"))
    """System namespaces exempt from the in-cluster policies (reference "std3":
    kube-system, gatekeeper-system, azure-arc)."""
    gitops_namespace: str = "flux-system"
    """Flux's namespace, additionally exempt where the reference uses "std4" (std3 + flux-system)."""
    cluster_settings_namespace: str = "cluster-baseline-settings"
    """Namespace of cluster-wide settings delivered by GitOps; left out of the pod-security
    audit. Reference: cluster-baseline-settings."""
    container_cpu_limit: str = POLICY_MAX_LIMITS["cpu"]
    """Highest CPU limit a container may declare. Reference: 500m."""
    container_memory_limit: str = POLICY_MAX_LIMITS["memory"]
    """Highest memory limit a container may declare. Reference: 256Mi."""
    read_only_root_excluded_containers: tuple[str, ...] = field(default_factory=tuple)
    """Container names exempt from the read-only root file system rule. Default none; the
    reference exempts its sample web app (aspnet-webapp-sample)."""
    ingress_tls_definition_name: str = "K8sCustomIngressTlsHostsHaveDefinedDomainSuffix"
    """Name of the custom policy definition. It lives at subscription scope, so two
    environments sharing a subscription need different names."""


@dataclass(frozen=True)
class _BuiltIn:
    key: str
    """Static construct ID and readable part of the assignment name."""
    guid: str
    name: str
    """Short form of the built-in display name (at most 60 characters)."""
    parameters: dict[str, Any]
    initiative: bool = False


class ClusterPolicies(Construct):
    """Built-in policy assignments (#1-18, #20-21 of the baseline) and the custom Ingress TLS
    domain policy (#19), all at the cluster's resource group.

    No single resource is primary here; each assignment's construct ID is a static key
    (for example "AllowedImages"), so addresses survive a change of names or values.
    """

    def __init__(self, scope: Construct, id: str, props: ClusterPoliciesProps):
        super().__init__(scope, id)
        _validate(props)
        std3 = list(props.excluded_namespaces)
        std4 = [*std3, props.gitops_namespace]
        login = props.registry_login_server.replace(".", r"\.")
        # The registry's images and Microsoft's, nothing else (see the module docstring).
        self.allowed_images_regex = rf"^{login}/.+$|^mcr\.microsoft\.com/.+$"

        built_ins = (
            _BuiltIn("PodSecurityRestricted", "42b8ef37-b724-4e24-bbc8-7a7708edfe00",
                     "Pod security restricted standards for Linux workloads",
                     {"effect": "Audit",
                      "excludedNamespaces": [*std4, props.cluster_settings_namespace,
                                             *props.workload_namespaces]},
                     initiative=True),
            _BuiltIn("HttpsOnly", "1a5b4dca-0b6f-4cf5-907c-56316bc1bf3d",
                     "Kubernetes clusters should be accessible only over HTTPS",
                     {"effect": "Deny", "excludedNamespaces": []}),
            _BuiltIn("InternalLoadBalancers", "3fc4dc25-5baf-40d8-9b05-7fe74c1bc64e",
                     "Kubernetes clusters should use internal load balancers",
                     {"effect": "Deny", "excludedNamespaces": []}),
            _BuiltIn("ReadOnlyRootFileSystem", "df49d893-a74c-421d-bc95-c663042e5b80",
                     "Containers should run with a read only root file system",
                     {"effect": "Deny", "excludedNamespaces": std4,
                      "excludedContainers": list(props.read_only_root_excluded_containers)}),
            _BuiltIn("ResourceLimits", "e345eecc-fa47-480f-9e88-67dcc122b164",
                     "Container CPU and memory limits should not exceed limits",
                     {"effect": "Deny", "cpuLimit": props.container_cpu_limit,
                      "memoryLimit": props.container_memory_limit, "excludedNamespaces": std4}),
            _BuiltIn("AllowedImages", "febd0533-8e55-448f-b837-bd0e06f16469",
                     "Containers should only use allowed images",
                     {"effect": "Deny", "allowedContainerImagesRegex": self.allowed_images_regex,
                      "excludedNamespaces": std3}),
            _BuiltIn("AllowedHostPaths", "098fc59e-46c7-4d99-9b16-64990e543d75",
                     "Pod hostPath volumes should only use allowed host paths",
                     {"effect": "Deny", "allowedHostPaths": {"paths": []}, "excludedNamespaces": std4}),
            _BuiltIn("AllowedExternalIps", "d46c275d-1680-448d-b2ec-e495a3b6cc89",
                     "Services should only use allowed external IPs",
                     {"effect": "Deny", "allowedExternalIPs": [], "excludedNamespaces": std3}),
            _BuiltIn("NoEndpointEditOnAggregateToEdit", "1ddac26b-ed48-4c30-8cc5-3a68c79b8001",
                     "No endpoint edit on ClusterRole system:aggregate-to-edit",
                     {"effect": "Audit", "excludedNamespaces": std3}),
            _BuiltIn("NoDefaultNamespace", "9f061a12-e40d-4183-a00e-171812443373",
                     "Kubernetes clusters should not use the default namespace",
                     {"effect": "Audit", "namespaces": ["default"], "excludedNamespaces": std3}),
            _BuiltIn("DefenderProfile", "a1840de2-8088-4ea8-b153-b4c723e9cb01",
                     "AKS clusters should have Defender profile enabled", {"effect": "Audit"}),
            _BuiltIn("EntraIntegration", "450d2877-ebea-41e8-b00c-e286317d21bf",
                     "AKS clusters should enable Microsoft Entra ID integration", {"effect": "Audit"}),
            _BuiltIn("LocalAuthDisabled", "993c2fcd-2b29-49d2-9eb0-df2c3a730c32",
                     "AKS clusters should have local authentication disabled", {"effect": "Deny"}),
            _BuiltIn("PolicyAddOn", "0a15ec92-a229-4763-bb14-0ea34a568f8d",
                     "Azure Policy add-on should be installed on AKS clusters", {"effect": "Audit"}),
            _BuiltIn("AuthorizedIpRanges", "0e246bcf-5f6f-4f87-bc6f-775d4712c7ea",
                     "Authorized IP ranges should be defined on AKS", {"effect": "Audit"}),
            _BuiltIn("NonVulnerableVersion", "fb893a29-21bb-418c-a157-e99480ec364c",
                     "Upgrade AKS to a non-vulnerable Kubernetes version", {"effect": "Audit"}),
            _BuiltIn("RbacEnabled", "ac4a19c2-fa67-49b4-8ae5-0b2e78c49457",
                     "Role-Based Access Control should be used on AKS", {"effect": "Audit"}),
            _BuiltIn("ManagedIdentities", "da6e2401-19da-4532-9141-fb8fbde08431",
                     "AKS clusters should use managed identities", {"effect": "Audit"}),
            _BuiltIn("RegistryAnonymousPullDisabled", "9f2dea28-e834-476c-99c5-3507b4728395",
                     "Container registries should have anonymous auth disabled", {"effect": "Deny"}),
            _BuiltIn("RegistryAdminUserDisabled", "dc921057-6b28-4fbe-9b83-f7bec05db6c2",
                     "Container registries should have local admin disabled", {"effect": "Deny"}),
        )
        # Every assignment, by its static key (its construct ID).
        self.assignments: dict[str, ResourceGroupPolicyAssignment] = {}
        for policy in built_ins:
            prefix = _SET_DEFINITION if policy.initiative else _DEFINITION
            self._assign(props, policy.key, policy.name, f"{prefix}{policy.guid}", policy.parameters)

        self.ingress_tls_definition = PolicyDefinition(
            self,
            "IngressTlsDomainSuffixDefinition",
            name=props.ingress_tls_definition_name,
            display_name="Kubernetes Ingress TLS hosts must use an allowed domain suffix",
            description="Denies Ingress resources whose TLS hosts are outside the allowed DNS suffixes.",
            policy_type="Custom",
            mode="Microsoft.Kubernetes.Data",
            metadata=_json({"category": "Kubernetes"}),
            policy_rule=_json(ingress_tls_policy_rule()),
            parameters=_json(_INGRESS_TLS_PARAMETERS),
        )
        self._assign(props, "IngressTlsDomainSuffix", "Ingress TLS hosts must use the workload domain",
                     self.ingress_tls_definition.id,
                     {"effect": "Deny", "allowedDomainSuffixes": [props.ingress_domain_suffix],
                      "excludedNamespaces": []})

    def _assign(self, props: ClusterPoliciesProps, key: str, name: str, definition_id: str,
                parameters: dict[str, Any]) -> None:
        self.assignments[key] = ResourceGroupPolicyAssignment(
            self,
            key,
            name=_assignment_name(key, props.cluster_name),
            display_name=f"[{props.cluster_name}] {name}",
            resource_group_id=props.resource_group_id,
            policy_definition_id=definition_id,
            parameters=_values(**parameters),
            enforce=True,
        )


def _assignment_name(key: str, cluster_name: str) -> str:
    """Readable, unique per cluster within the group, within Azure's 64-character limit."""
    digest = hashlib.sha256(cluster_name.encode()).hexdigest()[:8]
    kebab = re.sub(r"(?<!^)(?=[A-Z])", "-", key).lower()
    return f"{kebab}-{digest}"


def ingress_tls_policy_rule() -> dict[str, Any]:
    """The custom definition's rule: for AKS clusters, enforce the ConstraintTemplate on
    networking.k8s.io Ingresses, the template travelling inline as base64."""
    content = base64.b64encode(INGRESS_TLS_CONSTRAINT_TEMPLATE.encode("utf-8")).decode("ascii")
    return {
        "if": {"field": "type", "in": ["Microsoft.ContainerService/managedClusters"]},
        "then": {
            "effect": "[parameters('effect')]",
            "details": {
                "templateInfo": {"sourceType": "Base64Encoded", "content": content},
                "apiGroups": ["networking.k8s.io"],
                "kinds": ["Ingress"],
                "excludedNamespaces": "[parameters('excludedNamespaces')]",
                "namespaces": "[parameters('namespaces')]",
                "labelSelector": "[parameters('labelSelector')]",
                "values": {"allowedDomainSuffixes": "[parameters('allowedDomainSuffixes')]"},
            },
        },
    }


_INGRESS_TLS_PARAMETERS: dict[str, Any] = {
    "effect": {
        "type": "String",
        "metadata": {"displayName": "Effect", "description": "Audit, deny or disable the policy."},
        "allowedValues": ["audit", "Audit", "deny", "Deny", "disabled", "Disabled"],
        "defaultValue": "Audit",
    },
    "excludedNamespaces": {
        "type": "Array",
        "metadata": {"displayName": "Namespace exclusions",
                     "description": "Namespaces the policy does not evaluate."},
        "defaultValue": ["kube-system", "gatekeeper-system", "azure-arc"],
    },
    "namespaces": {
        "type": "Array",
        "metadata": {"displayName": "Namespace inclusions",
                     "description": "Only these namespaces are evaluated; empty means all."},
        "defaultValue": [],
    },
    "labelSelector": {
        "type": "Object",
        "metadata": {"displayName": "Kubernetes label selector",
                     "description": "Only resources matching this selector are evaluated."},
        "defaultValue": {},
    },
    "allowedDomainSuffixes": {
        "type": "Array",
        "metadata": {"displayName": "Allowed domain suffixes",
                     "description": "DNS suffixes an Ingress TLS host must be within."},
    },
}


def _validate(props: ClusterPoliciesProps) -> None:
    KUBERNETES_CLUSTER_NAME.check("cluster_name", props.cluster_name)
    REGISTRY_LOGIN_SERVER.check("registry_login_server", props.registry_login_server)
    if not props.workload_namespaces:
        raise ValueError("workload_namespaces: at least one workload namespace is required")
    namespaces = {
        "workload_namespaces": props.workload_namespaces,
        "excluded_namespaces": props.excluded_namespaces,
        "gitops_namespace": (props.gitops_namespace,),
        "cluster_settings_namespace": (props.cluster_settings_namespace,),
    }
    for field_name, values in namespaces.items():
        for value in values:
            DNS_LABEL.check(field_name, value)
        if len(set(values)) != len(values):
            raise ValueError(f"{field_name}: {', '.join(values)} lists a namespace twice")
    DNS_NAME.check("ingress_domain_suffix", props.ingress_domain_suffix)
    if not _CPU.match(props.container_cpu_limit):
        raise ValueError(f"container_cpu_limit: {props.container_cpu_limit!r} is not a Kubernetes CPU "
                         "quantity such as 500m or 1")
    if not _MEMORY.match(props.container_memory_limit):
        raise ValueError(f"container_memory_limit: {props.container_memory_limit!r} is not a Kubernetes "
                         "memory quantity such as 256Mi")
    if not _DEFINITION_NAME.match(props.ingress_tls_definition_name):
        raise ValueError(f"ingress_tls_definition_name: {props.ingress_tls_definition_name!r} must be "
                         "1-64 letters, digits, - _ or .")
