"""Security invariants as cdktf Aspects: a broken invariant is an ERROR annotation, so `app.synth()`
fails and nothing reaches Terraform.

How the checks see a stack: cdktf invokes aspects at synth time, after every construct exists,
depth-first with a node visited before its children, so a stack is visited before any of its
resources. Each policy acts only when it visits a `TerraformStack`; it then reads the stack's
resolved Terraform JSON (`stack.to_terraform()`, the document synth writes, with every escape-hatch
override applied and every token resolved to `${type.name.attr}`) and checks plain data. That
sees overrides that the typed `*_input` properties miss, and makes "refers to" a comparison of
resolved references rather than of token strings (every `resource.id` call mints a new token).
Each error is attached to the offending resource's construct, so cdktf prints its path, and the
message also names the resource's Terraform address (`type.logical_name`).

A `CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS` environment variable makes cdktf ignore error
annotations; CI must not set it. `Testing.synth` ignores them too: test with `Testing.full_synth`.
"""

from __future__ import annotations

import abc
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jsii
from cdktf import Annotations, Aspects, IAspect, TerraformStack
from constructs import IConstruct

from constructs_lib.config.resource_names import HUB_SUBNET_NAMES, SPOKE_SUBNET_NAMES
from constructs_lib.core.diagnostics import DIAGNOSTIC_CATEGORIES


@dataclass(frozen=True)
class StackResource:
    """One resource of a stack's synthesized JSON."""

    type: str
    name: str
    """Logical name (the key under the type in the JSON)."""
    path: str
    """Construct path, e.g. `dev-eastus2-spoke/Network/VirtualNetwork/Subnet-nodes`."""
    body: dict[str, Any]

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    def describe(self) -> str:
        """How a message names the resource: Terraform address and construct path."""
        return f"{self.address} (construct {self.path})"

    def get(self, attribute: str, default: Any = None) -> Any:
        return self.body.get(attribute, default)


@dataclass(frozen=True)
class Violation:
    """One broken invariant on one resource."""

    resource: StackResource
    message: str

    def render(self, policy: str) -> str:
        return f"[{policy}] {self.resource.describe()}: {self.message}"


def stack_resources(document: dict[str, Any]) -> list[StackResource]:
    """Resources of a stack's Terraform JSON, in document order."""
    found = []
    for resource_type, items in document.get("resource", {}).items():
        for name, body in items.items():
            path = body.get("//", {}).get("metadata", {}).get("path", name)
            found.append(StackResource(resource_type, name, path, body))
    return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != "//":
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def refers_to(value: Any, target: StackResource, attribute: str = "id") -> bool:
    """Whether `value` holds a Terraform reference to `target.<attribute>`, e.g. `${azurerm_subnet.X.id}`
    (or `X[0].id` for a counted resource).

    A literal Azure resource ID never matches: the policy cannot tie it to a resource of the stack.
    """
    pattern = re.compile(rf"(?<![\w.-]){re.escape(target.type)}\.{re.escape(target.name)}(\[[^\]]*\])?"
                         rf"\.{re.escape(attribute)}(?![\w-])")
    return any("${" in text and pattern.search(text) for text in _strings(value))


def _blocks(value: Any) -> list[dict[str, Any]]:
    """A nested block as a list of dicts: cdktf writes max-1 blocks as an object, others as a list."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _shown(value: Any) -> str:
    """A value as Terraform JSON spells it (`true`, `"TLSv1_1"`), or `unset`."""
    return "unset" if value is None else json.dumps(value)


@jsii.implements(IAspect)
class StackPolicy(abc.ABC):
    """Base of the policies: runs `check` on a stack's resources when the stack is visited.

    Errors are deduplicated per policy instance, so synthesizing the same stack twice (as tests
    do) does not repeat them.
    """

    name = "policy"

    def __init__(self) -> None:
        self._reported: set[tuple[str, str]] = set()

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, TerraformStack):
            self.report(node, stack_resources(node.to_terraform()))

    def report(self, stack: TerraformStack, resources: list[StackResource]) -> None:
        """Check the stack's resources and annotate each violation as an error."""
        violations = list(self.check(resources))
        if not violations:
            return
        constructs = {child.node.path: child for child in stack.node.find_all()}
        for violation in violations:
            message = violation.render(self.name)
            key = (violation.resource.path, message)
            if key in self._reported:
                continue
            self._reported.add(key)
            # The primary resource's construct, so cdktf prints its path too; the stack otherwise.
            Annotations.of(constructs.get(violation.resource.path, stack)).add_error(message)

    @abc.abstractmethod
    def check(self, resources: list[StackResource]) -> Iterable[Violation]:
        """The violations among a stack's resources; each policy defines its invariant here."""


# ---------------------------------------------------------------------------------------------
# 1. Key Vault and Container Registry: private data plane, Entra-only access.

@jsii.implements(IAspect)
class PrivateVaultAndRegistry(StackPolicy):
    """Key Vault and Container Registry are reachable only through private endpoints, the registry
    has no admin user, and the vault authorizes with Azure RBAC (no access policies)."""

    name = "private-vault-and-registry"

    def check(self, resources: list[StackResource]) -> Iterable[Violation]:
        for resource in resources:
            if resource.type not in ("azurerm_key_vault", "azurerm_container_registry"):
                continue
            public = resource.get("public_network_access_enabled")
            if public is not False:
                yield Violation(resource, (
                    f"public_network_access_enabled must be literally false (got {_shown(public)}; "
                    "unset means the provider default, true); reach it through its private endpoint"))
            if resource.type == "azurerm_container_registry":
                admin = resource.get("admin_enabled")
                if admin not in (None, False):
                    yield Violation(resource, (
                        f"admin_enabled must be false or unset (got {_shown(admin)}); the admin user is a "
                        "shared secret, pull with the kubelet identity's AcrPull role instead"))
            else:
                rbac = resource.get("rbac_authorization_enabled")
                if rbac is not True:
                    hint = (" (enable_rbac_authorization is the deprecated name; use rbac_authorization_enabled)"
                            if resource.get("enable_rbac_authorization") is True else "")
                    yield Violation(resource, (
                        f"rbac_authorization_enabled must be literally true (got {_shown(rbac)}); "
                        f"access policies are not allowed{hint}"))


# ---------------------------------------------------------------------------------------------
# 2. TLS 1.2 or later wherever a minimum can be set.

_TLS_ATTRIBUTES = re.compile(r"^(scm_)?(min|minimum|minimal)_tls_version$|^min_protocol_version$")
_TLS_VERSION = re.compile(r"^(?:tls)?v?(\d)[._]?(\d)$", re.IGNORECASE)
# App Gateway predefined policies whose minimum is TLS 1.2 (AppGwSslPolicy20150501 allows 1.0,
# AppGwSslPolicy20170401 allows 1.1).
MODERN_APP_GATEWAY_POLICIES = frozenset({"AppGwSslPolicy20170401S", "AppGwSslPolicy20220101",
                                         "AppGwSslPolicy20220101S"})
# Types whose minimum must be written out: the Azure or provider default is older than 1.2 or has
# changed between versions (App Gateway's default policy depends on the API version).
EXPLICIT_TLS_REQUIRED = {"azurerm_storage_account": "min_tls_version",
                         "azurerm_application_gateway": "ssl_policy"}


def tls_version(value: Any) -> tuple[int, int] | None:
    """(major, minor) of a TLS version spelled any way azurerm spells it (TLS1_2, TLSv1_2, 1.2,
    Tls12); None when it is not a literal version."""
    match = _TLS_VERSION.match(value.strip()) if isinstance(value, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def _tls_settings(value: Any, at: str) -> Iterator[tuple[str, Any]]:
    """Every (attribute path, value) of a TLS-minimum attribute, at any depth of a resource."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "//":
                continue
            here = f"{at}.{key}" if at else key
            if _TLS_ATTRIBUTES.match(key):
                yield here, item
            else:
                yield from _tls_settings(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _tls_settings(item, f"{at}[{index}]")


@jsii.implements(IAspect)
class MinimumTls(StackPolicy):
    """No TLS minimum below 1.2: every `min_tls_version`-like attribute of every resource, App
    Gateway SSL policies (gateway and SSL profiles), and an explicit setting where the default is
    weaker or unstable (`EXPLICIT_TLS_REQUIRED`)."""

    name = "minimum-tls"

    def check(self, resources: list[StackResource]) -> Iterable[Violation]:
        for resource in resources:
            for path, value in _tls_settings(resource.body, ""):
                version = tls_version(value)
                if version is None or version < (1, 2):
                    yield Violation(resource, f"{path} must be TLS 1.2 or later as a literal (got {_shown(value)})")
            required = EXPLICIT_TLS_REQUIRED.get(resource.type)
            if required and resource.get(required) is None:
                yield Violation(resource, (
                    f"{required} must be set explicitly to TLS 1.2 or later; the default depends on the "
                    "provider or API version"))
            if resource.type == "azurerm_application_gateway":
                policies = [("ssl_policy", policy) for policy in _blocks(resource.get("ssl_policy"))]
                for index, profile in enumerate(_blocks(resource.get("ssl_profile"))):
                    policies += [(f"ssl_profile[{index}].ssl_policy", policy)
                                 for policy in _blocks(profile.get("ssl_policy"))]
                for where, policy in policies:
                    problem = _app_gateway_policy_problem(policy)
                    if problem:
                        yield Violation(resource, f"{where}: {problem}")


def _app_gateway_policy_problem(policy: dict[str, Any]) -> str | None:
    """Why an App Gateway ssl_policy can negotiate below TLS 1.2, or None when it cannot."""
    if policy.get("min_protocol_version") is not None:
        return None  # checked with every other TLS minimum
    policy_type = policy.get("policy_type")
    if policy_type == "Predefined":
        name = policy.get("policy_name")
        if name in MODERN_APP_GATEWAY_POLICIES:
            return None
        return (f"predefined policy {_shown(name)} allows TLS below 1.2; use one of "
                f"{', '.join(sorted(MODERN_APP_GATEWAY_POLICIES))}")
    if policy_type is None and {"TLSv1_0", "TLSv1_1"} <= set(policy.get("disabled_protocols") or ()):
        return None
    return (f"policy_type {_shown(policy_type)} without min_protocol_version; set "
            "min_protocol_version TLSv1_2 (Custom/CustomV2) or a predefined TLS 1.2 policy")


# ---------------------------------------------------------------------------------------------
# 3. Every subnet has an NSG.

# Azure forbids or does not support an NSG on these subnets. AzureBastionSubnet is not here: it
# needs the NSG Azure documents for Bastion.
NSG_EXEMPT_SUBNETS = frozenset({HUB_SUBNET_NAMES["firewall"], "AzureFirewallManagementSubnet",
                                HUB_SUBNET_NAMES["gateway"], "RouteServerSubnet"})


@jsii.implements(IAspect)
class SubnetsHaveNsg(StackPolicy):
    """Every `azurerm_subnet` (except `NSG_EXEMPT_SUBNETS`) has an
    `azurerm_subnet_network_security_group_association` in the same stack whose `subnet_id` refers
    to it; inline `azurerm_virtual_network.subnet` blocks need `security_group`."""

    name = "subnet-nsg"

    def check(self, resources: list[StackResource]) -> Iterable[Violation]:
        associations = [r for r in resources if r.type == "azurerm_subnet_network_security_group_association"]
        for resource in resources:
            if resource.type == "azurerm_subnet":
                if resource.get("name") in NSG_EXEMPT_SUBNETS:
                    continue
                if not any(refers_to(a.get("subnet_id"), resource) for a in associations):
                    yield Violation(resource, (
                        f"subnet {_shown(resource.get('name'))} has no "
                        "azurerm_subnet_network_security_group_association in this stack whose subnet_id "
                        f"refers to {resource.address}.id; every subnet except "
                        f"{', '.join(sorted(NSG_EXEMPT_SUBNETS))} needs an NSG"))
            elif resource.type == "azurerm_virtual_network":
                for block in _blocks(resource.get("subnet")):
                    if block.get("name") not in NSG_EXEMPT_SUBNETS and not block.get("security_group"):
                        yield Violation(resource, (
                            f"inline subnet {_shown(block.get('name'))} has no security_group"))


# ---------------------------------------------------------------------------------------------
# 4. Node subnet egress goes through the firewall.

NODE_SUBNET_NAMES: tuple[str, ...] = (SPOKE_SUBNET_NAMES["nodes"],)


@jsii.implements(IAspect)
class NodeSubnetRouted(StackPolicy):
    """The cluster node subnet has an `azurerm_subnet_route_table_association` in the same stack
    (its default route to the hub firewall); without it nodes egress straight to the internet."""

    name = "node-subnet-route"

    def __init__(self, subnet_names: tuple[str, ...] = NODE_SUBNET_NAMES) -> None:
        super().__init__()
        self._subnet_names = frozenset(subnet_names)

    def check(self, resources: list[StackResource]) -> Iterable[Violation]:
        associations = [r for r in resources if r.type == "azurerm_subnet_route_table_association"]
        for resource in resources:
            if (resource.type == "azurerm_subnet" and resource.get("name") in self._subnet_names
                    and not any(refers_to(a.get("subnet_id"), resource) for a in associations)):
                yield Violation(resource, (
                    f"node subnet {_shown(resource.get('name'))} has no azurerm_subnet_route_table_association "
                    f"in this stack whose subnet_id refers to {resource.address}.id; node egress must "
                    "be forced through the hub firewall"))


# ---------------------------------------------------------------------------------------------
# 5. AKS: Entra ID only.

@jsii.implements(IAspect)
class AksLocalAccountsDisabled(StackPolicy):
    """Every `azurerm_kubernetes_cluster` sets `local_account_disabled = true` (no static admin
    kubeconfig; Entra ID and Kubernetes RBAC only)."""

    name = "aks-local-accounts"

    def check(self, resources: list[StackResource]) -> Iterable[Violation]:
        for resource in resources:
            if resource.type == "azurerm_kubernetes_cluster":
                value = resource.get("local_account_disabled")
                if value is not True:
                    yield Violation(resource, (
                        f"local_account_disabled must be literally true (got {_shown(value)}); local "
                        "accounts give a static cluster-admin credential"))


# ---------------------------------------------------------------------------------------------
# 6. Every diagnostic-capable resource is observed.

@jsii.implements(IAspect)
class DiagnosticsEverywhere(StackPolicy):
    """Every resource whose type is in `DIAGNOSTIC_CATEGORIES` has an
    `azurerm_monitor_diagnostic_setting` in the same stack whose `target_resource_id` refers to it."""

    name = "diagnostics"

    def check(self, resources: list[StackResource]) -> Iterable[Violation]:
        settings = [r for r in resources if r.type == "azurerm_monitor_diagnostic_setting"]
        for resource in resources:
            if resource.type in DIAGNOSTIC_CATEGORIES and not any(
                    refers_to(s.get("target_resource_id"), resource) for s in settings):
                yield Violation(resource, (
                    f"no azurerm_monitor_diagnostic_setting in this stack has target_resource_id "
                    f"{resource.address}.id; add constructs_lib.core.diagnostics.DiagnosticSettings"))


# ---------------------------------------------------------------------------------------------
# 7. The WAF blocks: every WAF policy is enabled in Prevention mode, whatever the cost profile.

@jsii.implements(IAspect)
class WafPrevention(StackPolicy):
    """Every `azurerm_web_application_firewall_policy` has `policy_settings` with `enabled = true` and
    `mode = "Prevention"` (Detection only logs attacks)."""

    name = "waf-prevention"

    def check(self, resources: list[StackResource]) -> Iterable[Violation]:
        for resource in resources:
            if resource.type != "azurerm_web_application_firewall_policy":
                continue
            settings = _blocks(resource.get("policy_settings"))
            mode = settings[0].get("mode") if settings else None
            enabled = settings[0].get("enabled") if settings else None
            if mode != "Prevention" or enabled is not True:
                yield Violation(resource, (
                    f"policy_settings must be literally enabled = true and mode = \"Prevention\" (got enabled "
                    f"{_shown(enabled)}, mode {_shown(mode)}); Detection only logs what it should block"))


# ---------------------------------------------------------------------------------------------
# 8. AKS API server: private, or public only to named source ranges.

@jsii.implements(IAspect)
class AksApiServerNotOpen(StackPolicy):
    """Every `azurerm_kubernetes_cluster` has `private_cluster_enabled = true`, or (a public API server,
    which the environment file must ask for) `api_server_access_profile.authorized_ip_ranges` with at
    least one range and none of them 0.0.0.0/0."""

    name = "aks-api-server"

    def check(self, resources: list[StackResource]) -> Iterable[Violation]:
        for resource in resources:
            if resource.type != "azurerm_kubernetes_cluster" or resource.get("private_cluster_enabled") is True:
                continue
            profiles = _blocks(resource.get("api_server_access_profile"))
            ranges = profiles[0].get("authorized_ip_ranges") if profiles else None
            if not ranges or not isinstance(ranges, list) or any(
                    str(cidr).endswith("/0") for cidr in ranges):
                private = _shown(resource.get("private_cluster_enabled"))
                yield Violation(resource, (
                    f"the API server is public (private_cluster_enabled {private}) and open to {_shown(ranges)}; "
                    "keep it private or list named authorized_ip_ranges"))


POLICIES: tuple[type[StackPolicy], ...] = (
    PrivateVaultAndRegistry, MinimumTls, SubnetsHaveNsg, NodeSubnetRouted, AksLocalAccountsDisabled,
    DiagnosticsEverywhere, WafPrevention, AksApiServerNotOpen,
)


@jsii.implements(IAspect)
class PolicySet:
    """Several policies as one aspect: the stack's JSON is rendered once for all of them."""

    def __init__(self, policies: Iterable[StackPolicy]) -> None:
        self.policies = tuple(policies)

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, TerraformStack):
            resources = stack_resources(node.to_terraform())
            for policy in self.policies:
                policy.report(node, resources)


def apply_policy_aspects(scope: IConstruct) -> PolicySet:
    """Add every policy in `POLICIES` to `scope` (a stack, or the app to cover all its stacks)."""
    policy_set = PolicySet(policy() for policy in POLICIES)
    Aspects.of(scope).add(policy_set)
    return policy_set
