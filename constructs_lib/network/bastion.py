"""Azure Bastion (Standard or Premium, native-client tunnelling) with the NSG Azure documents for it,
or, with `sku="none"`, only a closed NSG on the reserved AzureBastionSubnet."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.bastion_host import (
    BastionHost,
    BastionHostIpConfiguration,
)
from constructs import Construct

from constructs_lib.config.rules import check_bastion_sku
from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.validation import ALLOWED_ZONES
from constructs_lib.network.public_ip import PublicIp, PublicIpProps
from constructs_lib.network.subnet_security_group import (
    SecurityRule,
    SubnetSecurityGroup,
    SubnetSecurityGroupProps,
    deny_all,
)

BASTION_RULES: tuple[SecurityRule, ...] = (
    SecurityRule("AllowWebExperienceInbound", 100, "Inbound", "Allow", "Tcp", ("Internet",), ("*",), ("443",)),
    SecurityRule("AllowControlPlaneInbound", 110, "Inbound", "Allow", "Tcp", ("GatewayManager",), ("*",), ("443",)),
    SecurityRule("AllowHealthProbesInbound", 120, "Inbound", "Allow", "Tcp", ("AzureLoadBalancer",), ("*",), ("443",)),
    SecurityRule("AllowBastionHostToHostInbound", 130, "Inbound", "Allow", "*", ("VirtualNetwork",),
                 ("VirtualNetwork",), ("8080", "5701")),
    deny_all("Inbound"),
    SecurityRule("AllowSshToVnetOutbound", 100, "Outbound", "Allow", "Tcp", ("*",), ("VirtualNetwork",), ("22",)),
    SecurityRule("AllowRdpToVnetOutbound", 110, "Outbound", "Allow", "Tcp", ("*",), ("VirtualNetwork",), ("3389",)),
    SecurityRule("AllowControlPlaneOutbound", 120, "Outbound", "Allow", "Tcp", ("*",), ("AzureCloud",), ("443",)),
    SecurityRule("AllowBastionHostToHostOutbound", 130, "Outbound", "Allow", "*", ("VirtualNetwork",),
                 ("VirtualNetwork",), ("443", "8080", "5701")),
    SecurityRule("AllowBastionCertificateValidationOutbound", 140, "Outbound", "Allow", "*", ("*",),
                 ("Internet",), ("80",)),
    deny_all("Outbound"),
)


@dataclass(frozen=True)
class BastionProps:
    """Inputs of the hub Bastion."""

    name: str
    """Azure name of the Bastion host (CAF prefix `bas-`)."""
    nsg_name: str
    """Name of the NSG on AzureBastionSubnet (Azure requires its documented rules)."""
    public_ip_name: str
    """Name of the Bastion's Standard public IP."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the host, its NSG and public IP."""
    subnet_id: str
    """The hub's AzureBastionSubnet."""
    log_analytics_workspace_id: str
    """Workspace receiving the host's, NSG's and public IP's diagnostics."""
    zones: tuple[str, ...] = ALLOWED_ZONES
    """Zones of the Bastion public IP."""
    sku: str = "Standard"
    """`Standard` (reference) or `Premium`: both tunnel native clients, which `az aks bastion` needs
    to reach the private API server. `none`: no host and no public IP; the subnet keeps an NSG that
    denies everything, so the same NSG serves again when a host returns. Developer, Basic or
    anything else is a ValueError (`config.rules.check_bastion_sku`)."""

CLOSED_RULES: tuple[SecurityRule, ...] = (deny_all("Inbound"), deny_all("Outbound"))
"""The NSG of an AzureBastionSubnet that holds no Bastion."""


class Bastion(Construct):
    """Bastion host used by `az aks bastion` to reach the private API server (`resource` and
    `public_ip` are None with `sku="none"`)."""

    def __init__(self, scope: Construct, id: str, props: BastionProps):
        super().__init__(scope, id)
        check_bastion_sku(props.sku)
        workspace = props.log_analytics_workspace_id
        self.security_group = SubnetSecurityGroup(self, "SecurityGroup", SubnetSecurityGroupProps(
            name=props.nsg_name, location=props.location, resource_group_name=props.resource_group_name,
            subnet_id=props.subnet_id, log_analytics_workspace_id=workspace,
            rules=CLOSED_RULES if props.sku == "none" else BASTION_RULES))
        self.public_ip: PublicIp | None = None
        self.resource: BastionHost | None = None
        if props.sku == "none":
            return
        self.public_ip = PublicIp(self, "PublicIp", PublicIpProps(
            name=props.public_ip_name, location=props.location,
            resource_group_name=props.resource_group_name, log_analytics_workspace_id=workspace,
            zones=props.zones))
        self.resource = BastionHost(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            sku=props.sku,
            tunneling_enabled=True,
            ip_configuration=BastionHostIpConfiguration(
                name="hub-subnet", subnet_id=props.subnet_id, public_ip_address_id=self.public_ip.id),
            # Azure rejects a Bastion whose subnet NSG lacks the required rules.
            depends_on=[self.security_group.association],
        )
        DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=workspace))
