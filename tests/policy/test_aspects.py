"""Policy aspects: each security invariant, broken on its own in an otherwise compliant stack, fails
synthesis with an error naming the resource; a compliant stack and the shipped app synthesize.

Every broken stack is built from the same compliant pieces plus one change, and the test asserts
the exact set of (policy, resource) errors, so a case cannot pass because of an unrelated error.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from cdktf import Aspects, TerraformStack, Testing
from cdktf_cdktf_provider_azurerm.application_gateway import (
    ApplicationGateway,
    ApplicationGatewayBackendAddressPool,
    ApplicationGatewayBackendHttpSettings,
    ApplicationGatewayFrontendIpConfiguration,
    ApplicationGatewayFrontendPort,
    ApplicationGatewayGatewayIpConfiguration,
    ApplicationGatewayHttpListener,
    ApplicationGatewayRequestRoutingRule,
    ApplicationGatewaySku,
    ApplicationGatewaySslPolicy,
    ApplicationGatewaySslProfile,
    ApplicationGatewaySslProfileSslPolicy,
)
from cdktf_cdktf_provider_azurerm.container_registry import ContainerRegistry
from cdktf_cdktf_provider_azurerm.key_vault import KeyVault
from cdktf_cdktf_provider_azurerm.kubernetes_cluster import (
    KubernetesCluster,
    KubernetesClusterDefaultNodePool,
    KubernetesClusterIdentity,
)
from cdktf_cdktf_provider_azurerm.mssql_server import MssqlServer
from cdktf_cdktf_provider_azurerm.provider import (
    AzurermProvider,
    AzurermProviderFeatures,
)
from cdktf_cdktf_provider_azurerm.storage_account import StorageAccount
from cdktf_cdktf_provider_azurerm.subnet_network_security_group_association import (
    SubnetNetworkSecurityGroupAssociation,
)

from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.network.egress_route_table import EgressRouteTable, EgressRouteTableProps
from constructs_lib.network.public_ip import PublicIp, PublicIpProps
from constructs_lib.network.subnet_security_group import (
    SubnetSecurityGroup,
    SubnetSecurityGroupProps,
)
from constructs_lib.network.virtual_network import (
    SubnetSpec,
    VirtualNetwork,
    VirtualNetworkProps,
)
from constructs_lib.observability.log_analytics import (
    LogAnalyticsWorkspace,
    LogAnalyticsWorkspaceProps,
)
from constructs_lib.policy.aspects import (
    AksLocalAccountsDisabled,
    PolicySet,
    StackResource,
    apply_policy_aspects,
    refers_to,
    tls_version,
)
from tests.synth import empty_stack

RG, LOC = "rg-test", "eastus2"
ERROR_LINE = re.compile(r"^\[(?P<path>[^\]]+)\] \[(?P<policy>[^\]]+)\] (?P<address>\S+) "
                        r"\(construct (?P<named_path>[^)]+)\): (?P<message>.+)$")


@pytest.fixture(autouse=True)
def _annotations_fail_synth(monkeypatch):
    monkeypatch.delenv("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS", raising=False)


# --- compliant building blocks -----------------------------------------------------------------

@dataclass
class Parts:
    """A stack with a workspace; each `add_*` adds a compliant piece, keyword arguments break it."""

    stack: TerraformStack
    workspace: LogAnalyticsWorkspace
    made: dict[str, object] = field(default_factory=dict)

    def observe(self, resource, key: str) -> None:
        DiagnosticSettings(self.stack, f"{key}Diagnostics", DiagnosticSettingsProps(
            target=resource, log_analytics_workspace_id=self.workspace.id))

    def add_network(self, extra_subnets: tuple[SubnetSpec, ...] = (), nsg_for: tuple[str, ...] = ("nodes", "bastion"),
                    routed: tuple[str, ...] = ("nodes",)) -> VirtualNetwork:
        """VNet with the exempt hub subnets, a Bastion subnet and the node subnet, each NSG'd/routed."""
        net = ipaddress.IPv4Network
        network = VirtualNetwork(self.stack, "Network", VirtualNetworkProps(
            name="vnet-test", location=LOC, resource_group_name=RG, address_space=net("10.0.0.0/16"),
            log_analytics_workspace_id=self.workspace.id,
            subnets=(
                SubnetSpec("firewall", "AzureFirewallSubnet", net("10.0.0.0/26")),
                SubnetSpec("gateway", "GatewaySubnet", net("10.0.0.64/27")),
                SubnetSpec("bastion", "AzureBastionSubnet", net("10.0.0.128/26")),
                SubnetSpec("nodes", "snet-clusternodes", net("10.0.4.0/22")),
                *extra_subnets,
            ),
        ))
        for key in nsg_for:
            SubnetSecurityGroup(self.stack, f"Nsg-{key}", SubnetSecurityGroupProps(
                name=f"nsg-{key}", location=LOC, resource_group_name=RG,
                subnet_id=network.subnets[key].id, log_analytics_workspace_id=self.workspace.id))
        if routed:
            EgressRouteTable(self.stack, "Routes", EgressRouteTableProps(
                name="rt-test", location=LOC, resource_group_name=RG, firewall_private_ip="10.0.0.4",
                subnet_ids={key: network.subnets[key].id for key in routed}))
        self.made["network"] = network
        return network

    def add_vault(self, **settings) -> KeyVault:
        values = {"public_network_access_enabled": False, "rbac_authorization_enabled": True, **settings}
        vault = KeyVault(self.stack, "Vault", name="kv-test", location=LOC, resource_group_name=RG,
                         sku_name="standard", tenant_id="00000000-0000-0000-0000-000000000000", **values)
        self.observe(vault, "Vault")
        return vault

    def add_registry(self, **settings) -> ContainerRegistry:
        values = {"public_network_access_enabled": False, "admin_enabled": False, **settings}
        registry = ContainerRegistry(self.stack, "Registry", name="crtest", location=LOC, resource_group_name=RG,
                                     sku="Premium", **values)
        self.observe(registry, "Registry")
        return registry

    def add_cluster(self, **settings) -> KubernetesCluster:
        values = {"local_account_disabled": True, "private_cluster_enabled": True, **settings}
        cluster = KubernetesCluster(
            self.stack, "Cluster", name="aks-test", location=LOC, resource_group_name=RG, dns_prefix="aks-test",
            default_node_pool=KubernetesClusterDefaultNodePool(name="npsystem", vm_size="Standard_D2d_v5",
                                                               node_count=3),
            identity=KubernetesClusterIdentity(type="SystemAssigned"), **values)
        self.observe(cluster, "Cluster")
        return cluster

    def add_gateway(self, **settings) -> ApplicationGateway:
        values = {"ssl_policy": ApplicationGatewaySslPolicy(
            policy_type="Custom", min_protocol_version="TLSv1_2",
            cipher_suites=["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]), **settings}
        gateway = ApplicationGateway(
            self.stack, "Gateway", name="agw-test", location=LOC, resource_group_name=RG,
            sku=ApplicationGatewaySku(name="WAF_v2", tier="WAF_v2", capacity=2),
            gateway_ip_configuration=[ApplicationGatewayGatewayIpConfiguration(name="gw", subnet_id="/subnets/x")],
            frontend_ip_configuration=[ApplicationGatewayFrontendIpConfiguration(
                name="fe", public_ip_address_id="/publicIPAddresses/x")],
            frontend_port=[ApplicationGatewayFrontendPort(name="https", port=443)],
            backend_address_pool=[ApplicationGatewayBackendAddressPool(name="be", ip_addresses=["10.0.4.4"])],
            backend_http_settings=[ApplicationGatewayBackendHttpSettings(
                name="settings", cookie_based_affinity="Disabled", port=443, protocol="Https")],
            http_listener=[ApplicationGatewayHttpListener(
                name="listener", frontend_ip_configuration_name="fe", frontend_port_name="https", protocol="Https")],
            request_routing_rule=[ApplicationGatewayRequestRoutingRule(
                name="rule", rule_type="Basic", http_listener_name="listener", backend_address_pool_name="be",
                backend_http_settings_name="settings", priority=100)],
            **values)
        self.observe(gateway, "Gateway")
        return gateway

    def add_storage(self, **settings) -> StorageAccount:
        values = {"min_tls_version": "TLS1_2", **settings}
        return StorageAccount(self.stack, "Storage", name="sttest", location=LOC, resource_group_name=RG,
                              account_tier="Standard", account_replication_type="ZRS", **values)


def new_parts() -> Parts:
    stack = empty_stack("test")
    AzurermProvider(stack, "azurerm", features=[AzurermProviderFeatures()])
    workspace = LogAnalyticsWorkspace(stack, "Workspace", LogAnalyticsWorkspaceProps(
        name="log-test", location=LOC, resource_group_name=RG))
    return Parts(stack, workspace)


def policy_errors(stack: TerraformStack) -> list[dict[str, str]]:
    """Apply the policies, full-synth, and return the parsed error lines (the synth must fail)."""
    apply_policy_aspects(stack)
    with pytest.raises(RuntimeError, match=r'Encountered Annotations with level "ERROR"') as caught:
        Testing.full_synth(stack)
    lines = [ERROR_LINE.match(line) for line in str(caught.value).splitlines() if line.startswith("[")]
    assert all(lines), f"unparsed error lines in: {caught.value}"
    for line in lines:
        assert line["path"] == line["named_path"], "the message must name the construct cdktf reports"
    return [line.groupdict() for line in lines]


# --- broken stacks: one invariant each -----------------------------------------------------------

@dataclass(frozen=True)
class Case:
    build: Callable[[Parts], None]
    expected: set[tuple[str, str, str]]
    """(policy, Terraform address, construct path) of every error."""
    message: str
    """Regex every error message matches."""


def _stray_subnet(parts: Parts) -> None:
    parts.add_network(extra_subnets=(SubnetSpec("extra", "snet-extra", ipaddress.IPv4Network("10.0.8.0/24")),))


def _association_to_wrong_subnet(parts: Parts) -> None:
    network = parts.add_network(nsg_for=("bastion",))
    # An association exists, but it points at the Bastion subnet again, not at the node subnet.
    SubnetNetworkSecurityGroupAssociation(parts.stack, "WrongAssociation", subnet_id=network.subnets["bastion"].id,
                                          network_security_group_id="/networkSecurityGroups/x")


def _registry_override(parts: Parts) -> None:
    # The typed setting is compliant; an escape-hatch override silently re-opens the registry.
    parts.add_registry().add_override("public_network_access_enabled", True)


def _public_ip_without_diagnostics(parts: Parts) -> None:
    PublicIp(parts.stack, "Ip", PublicIpProps(name="pip-test", location=LOC, resource_group_name=RG,
                                              log_analytics_workspace_id=parts.workspace.id))
    # Remove the diagnostic setting the construct adds by re-pointing it at the workspace.
    setting = parts.stack.node.find_child("Ip").node.find_child("Diagnostics").resource
    setting.target_resource_id = parts.workspace.id


SUBNET = "azurerm_subnet.Network_Subnet-{}_{}"

CASES: dict[str, Case] = {
    "vault public access unset": Case(
        lambda p: p.add_vault(public_network_access_enabled=None),
        {("private-vault-and-registry", "azurerm_key_vault.Vault", "test/Vault")},
        r"public_network_access_enabled must be literally false \(got unset"),
    "vault public access on": Case(
        lambda p: p.add_vault(public_network_access_enabled=True),
        {("private-vault-and-registry", "azurerm_key_vault.Vault", "test/Vault")},
        r"public_network_access_enabled must be literally false \(got true"),
    "vault access policies": Case(
        lambda p: p.add_vault(rbac_authorization_enabled=None, enable_rbac_authorization=True),
        {("private-vault-and-registry", "azurerm_key_vault.Vault", "test/Vault")},
        r"rbac_authorization_enabled must be literally true .*enable_rbac_authorization is the deprecated name"),
    "registry public access on": Case(
        lambda p: p.add_registry(public_network_access_enabled=True),
        {("private-vault-and-registry", "azurerm_container_registry.Registry", "test/Registry")},
        r"public_network_access_enabled must be literally false"),
    "registry public via override": Case(
        _registry_override,
        {("private-vault-and-registry", "azurerm_container_registry.Registry", "test/Registry")},
        r"public_network_access_enabled must be literally false \(got true"),
    "registry admin user": Case(
        lambda p: p.add_registry(admin_enabled=True),
        {("private-vault-and-registry", "azurerm_container_registry.Registry", "test/Registry")},
        r"admin_enabled must be false or unset \(got true"),
    "gateway TLS 1.1": Case(
        lambda p: p.add_gateway(ssl_policy=ApplicationGatewaySslPolicy(
            policy_type="Custom", min_protocol_version="TLSv1_1")),
        {("minimum-tls", "azurerm_application_gateway.Gateway", "test/Gateway")},
        r'ssl_policy\.min_protocol_version must be TLS 1\.2 or later as a literal \(got "TLSv1_1"\)'),
    "gateway default policy": Case(
        lambda p: p.add_gateway(ssl_policy=None),
        {("minimum-tls", "azurerm_application_gateway.Gateway", "test/Gateway")},
        r"ssl_policy must be set explicitly"),
    "gateway old predefined policy": Case(
        lambda p: p.add_gateway(ssl_policy=ApplicationGatewaySslPolicy(
            policy_type="Predefined", policy_name="AppGwSslPolicy20150501")),
        {("minimum-tls", "azurerm_application_gateway.Gateway", "test/Gateway")},
        r'ssl_policy: predefined policy "AppGwSslPolicy20150501" allows TLS below 1\.2'),
    "gateway SSL profile TLS 1.0": Case(
        lambda p: p.add_gateway(ssl_profile=[ApplicationGatewaySslProfile(
            name="legacy", ssl_policy=ApplicationGatewaySslProfileSslPolicy(
                policy_type="Custom", min_protocol_version="TLSv1_0"))]),
        {("minimum-tls", "azurerm_application_gateway.Gateway", "test/Gateway")},
        r"ssl_profile\[0\]\.ssl_policy\.min_protocol_version must be TLS 1\.2 or later"),
    "storage TLS 1.1": Case(
        lambda p: p.add_storage(min_tls_version="TLS1_1"),
        {("minimum-tls", "azurerm_storage_account.Storage", "test/Storage")},
        r'min_tls_version must be TLS 1\.2 or later as a literal \(got "TLS1_1"\)'),
    "storage TLS unset": Case(
        lambda p: p.add_storage(min_tls_version=None),
        {("minimum-tls", "azurerm_storage_account.Storage", "test/Storage")},
        r"min_tls_version must be set explicitly"),
    "any resource's TLS minimum": Case(
        lambda p: MssqlServer(p.stack, "Sql", name="sql-test", location=LOC, resource_group_name=RG,
                              version="12.0", minimum_tls_version="1.1"),
        {("minimum-tls", "azurerm_mssql_server.Sql", "test/Sql")},
        r'minimum_tls_version must be TLS 1\.2 or later as a literal \(got "1\.1"\)'),
    "subnet without NSG": Case(
        _stray_subnet,
        {("subnet-nsg", SUBNET.format("extra", ""), "test/Network/Subnet-extra")},
        r'subnet "snet-extra" has no azurerm_subnet_network_security_group_association'),
    "Bastion subnet without NSG": Case(
        lambda p: p.add_network(nsg_for=("nodes",)),
        {("subnet-nsg", SUBNET.format("bastion", ""), "test/Network/Subnet-bastion")},
        r'subnet "AzureBastionSubnet" has no azurerm_subnet_network_security_group_association'),
    "association to another subnet": Case(
        _association_to_wrong_subnet,
        {("subnet-nsg", SUBNET.format("nodes", ""), "test/Network/Subnet-nodes")},
        r'subnet "snet-clusternodes" has no azurerm_subnet_network_security_group_association'),
    "node subnet not routed": Case(
        lambda p: p.add_network(routed=()),
        {("node-subnet-route", SUBNET.format("nodes", ""), "test/Network/Subnet-nodes")},
        r'node subnet "snet-clusternodes" has no azurerm_subnet_route_table_association'),
    "cluster local accounts unset": Case(
        lambda p: p.add_cluster(local_account_disabled=None),
        {("aks-local-accounts", "azurerm_kubernetes_cluster.Cluster", "test/Cluster")},
        r"local_account_disabled must be literally true \(got unset\)"),
    "cluster API server public to everyone": Case(
        lambda p: p.add_cluster(private_cluster_enabled=False),
        {("aks-api-server", "azurerm_kubernetes_cluster.Cluster", "test/Cluster")},
        r"the API server is public \(private_cluster_enabled false\) and open to unset"),
    "cluster local accounts on": Case(
        lambda p: p.add_cluster(local_account_disabled=False),
        {("aks-local-accounts", "azurerm_kubernetes_cluster.Cluster", "test/Cluster")},
        r"local_account_disabled must be literally true \(got false\)"),
    "resource without diagnostics": Case(
        _public_ip_without_diagnostics,
        {("diagnostics", "azurerm_public_ip.Ip_", "test/Ip/Resource")},
        r"no azurerm_monitor_diagnostic_setting in this stack has target_resource_id azurerm_public_ip\.Ip_"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_broken_invariant_fails_synth_naming_the_resource(case):
    parts = new_parts()
    case.build(parts)
    errors = policy_errors(parts.stack)
    # Logical names end in a hash; compare by prefix.
    found = {(e["policy"], e["address"], e["path"]) for e in errors}
    assert len(found) == len(case.expected), errors
    for policy, address, path in case.expected:
        assert any(p == policy and a.startswith(address) and pa == path for p, a, pa in found), (
            f"expected [{policy}] {address}* at {path}; got {found}")
    for error in errors:
        assert re.search(case.message, error["message"]), error["message"]


def test_compliant_stack_synthesizes_clean():
    parts = new_parts()
    network = parts.add_network()
    # Every read of `.id` mints a new token, so the NSG association's subnet_id never equals the
    # subnet's `.id` as a string; the policies compare resolved references instead.
    nodes = network.subnets["nodes"]
    assert nodes.id != nodes.id
    parts.add_vault()
    parts.add_registry()
    parts.add_cluster()
    parts.add_gateway(ssl_profile=[
        ApplicationGatewaySslProfile(name="modern", ssl_policy=ApplicationGatewaySslProfileSslPolicy(
            policy_type="Predefined", policy_name="AppGwSslPolicy20220101S")),
        ApplicationGatewaySslProfile(name="legacy-off", ssl_policy=ApplicationGatewaySslProfileSslPolicy(
            disabled_protocols=["TLSv1_0", "TLSv1_1"])),
    ])
    parts.add_storage()
    apply_policy_aspects(parts.stack)
    Testing.full_synth(parts.stack)  # raises on any error annotation
    doc = json.loads(Testing.synth(parts.stack))
    node_subnet = f"${{azurerm_subnet.{nodes.friendly_unique_id}.id}}"
    for association_type in ("azurerm_subnet_network_security_group_association",
                             "azurerm_subnet_route_table_association"):
        assert node_subnet in {a["subnet_id"] for a in doc["resource"][association_type].values()}


def test_one_policy_on_its_own_and_no_repeats_on_a_second_synth():
    parts = new_parts()
    parts.add_cluster(local_account_disabled=False)
    parts.add_registry(admin_enabled=True)
    Aspects.of(parts.stack).add(AksLocalAccountsDisabled())
    for _ in range(2):
        with pytest.raises(RuntimeError) as caught:
            Testing.full_synth(parts.stack)
        assert str(caught.value).count("[aks-local-accounts]") == 1
        assert "[private-vault-and-registry]" not in str(caught.value)


def test_shipped_app_passes_every_policy(synthesized):
    # The session synth runs build_app, which applies every policy aspect to every stack; an
    # error annotation would have failed that synth. The manifest records no annotation at all.
    for name, entry in synthesized.manifest["stacks"].items():
        assert entry["annotations"] == [], name


def test_build_app_applies_the_policies(synthesized):
    stack = synthesized.app.stacks["dev-eastus2-hub"]
    assert any(isinstance(aspect, PolicySet) for aspect in Aspects.of(stack).all)


# --- the pure helpers ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "version"), [
    ("TLS1_2", (1, 2)), ("TLSv1_3", (1, 3)), ("1.2", (1, 2)), ("1.0", (1, 0)), ("Tls12", (1, 2)),
    ("TLS1_0", (1, 0)), ("${var.tls}", None), ("", None), (None, None), (12, None),
])
def test_tls_version_reads_every_spelling(text, version):
    assert tls_version(text) == version


def test_refers_to_matches_whole_references_only():
    subnet = StackResource("azurerm_subnet", "S", "test/S", {})
    assert refers_to("${azurerm_subnet.S.id}", subnet)
    assert refers_to({"nested": ["${element([azurerm_subnet.S.id], 0)}"]}, subnet)
    assert not refers_to("${azurerm_subnet.S2.id}", subnet)
    assert refers_to("${azurerm_subnet.S[0].id}", subnet)
    assert not refers_to("${azurerm_subnet.S.name}", subnet)
    assert not refers_to("${data.azurerm_subnet.S.id}", subnet)
    assert not refers_to("azurerm_subnet.S.id", subnet)  # a literal, not a reference
