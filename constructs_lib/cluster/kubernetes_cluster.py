"""The AKS cluster of the baseline (inventory §6): private, VNet-integrated API server, Entra ID
with Azure RBAC only, overlay networking behind the hub firewall, a tainted system pool and one
user pool, the policy/monitoring/Defender/CSI add-ons and cluster diagnostics."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from cdktf import ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_azurerm.kubernetes_cluster import (
    KubernetesCluster as AzureKubernetesCluster,
)
from cdktf_cdktf_provider_azurerm.kubernetes_cluster import (
    KubernetesClusterApiServerAccessProfile,
    KubernetesClusterAutoScalerProfile,
    KubernetesClusterAzureActiveDirectoryRoleBasedAccessControl,
    KubernetesClusterDefaultNodePool,
    KubernetesClusterDefaultNodePoolUpgradeSettings,
    KubernetesClusterIdentity,
    KubernetesClusterKeyVaultSecretsProvider,
    KubernetesClusterMaintenanceWindowAutoUpgrade,
    KubernetesClusterMaintenanceWindowNodeOs,
    KubernetesClusterMicrosoftDefender,
    KubernetesClusterMonitorMetrics,
    KubernetesClusterNetworkProfile,
    KubernetesClusterOmsAgent,
    KubernetesClusterStorageProfile,
)
from cdktf_cdktf_provider_azurerm.kubernetes_cluster_node_pool import (
    KubernetesClusterNodePool,
    KubernetesClusterNodePoolUpgradeSettings,
)
from cdktf_cdktf_provider_time.static_resource import StaticResource
from constructs import Construct

from constructs_lib.config.models import (
    ClusterNetwork,
    MaintenanceWindow,
    SpotNodePool,
    SystemNodePool,
    UserNodePool,
)
from constructs_lib.config.rules import (
    SPOT_EVICTION_POLICY,
    SPOT_LABEL,
    SPOT_MAX_PRICE,
    SPOT_TAINT,
    check_api_server_access,
    check_node_pool_names,
    check_spot_pool_name,
    check_version_for_channel,
    rotation_name,
)
from constructs_lib.core.azapi import CONTAINER_SERVICE_API, AzapiUpdateResource
from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.validation import ALLOWED_ZONES, ipv4_network, is_guid, is_token

_VERSION = re.compile(r"^([1-9][0-9]*)\.([0-9]+)(\.[0-9]+)?$")
_DNS_PREFIX = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9]{0,52}[A-Za-z0-9])?$")
_ROTATION_INTERVAL = re.compile(r"^[1-9][0-9]*[smh]$")


@dataclass(frozen=True)
class KubernetesClusterProps:
    """Inputs of the AKS cluster and its user node pool."""

    name: str
    """Azure name of the cluster (CAF prefix `aks-`)."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group of the cluster resource."""
    dns_prefix: str
    """DNS prefix of the API server FQDN: 1-54 letters, digits and -, not starting or ending in -."""
    node_resource_group: str
    """Name of the AKS-managed node resource group. Reference: `rg-<cluster>-nodepools`."""
    kubernetes_version: str
    """`major.minor` (e.g. 1.35); `major.minor.patch` only without the `patch` upgrade channel, else
    ValueError (`config.rules.check_version_for_channel`)."""
    control_plane_identity_id: str
    """Resource ID of the user-assigned control-plane identity. It needs Private DNS Zone
    Contributor on the zone and Network Contributor on the subnets before the cluster exists; pass
    those assignments in `depends_on`."""
    tenant_id: str
    """Entra ID tenant of the cluster's users (GUID)."""
    admin_group_object_ids: tuple[str, ...]
    """Entra groups that are cluster admins (object IDs). May be empty when access is granted only
    through Azure RBAC role assignments, as the reference does."""
    node_subnet_id: str
    """Subnet of both node pools (`snet-clusternodes`)."""
    api_server_subnet_id: str
    """Subnet delegated to AKS for API-server VNet integration (`snet-privatecluster`); unused when
    `api_server_vnet_integration` is False."""
    private_dns_zone_id: str | None
    """BYO `privatelink.<region>.azmk8s.io` zone of a private cluster; must be None when
    `private_cluster` is False."""
    log_analytics_workspace_id: str
    """Workspace of Container Insights and the cluster's diagnostic settings (Entra-only auth)."""
    defender_log_analytics_workspace_id: str | None
    """Workspace the Defender for Containers sensor reports to, or None to leave Defender off. It must
    accept workspace-key auth: the sensor does not support Entra ID auth yet
    (Azure/Microsoft-Defender-for-Cloud#1010), so it is not the main workspace."""
    system_pool: SystemNodePool
    """The default (system) pool; runs critical add-ons only."""
    user_pool: UserNodePool
    """The workload pool (`azurerm_kubernetes_cluster_node_pool`, mode User)."""
    spot_pool: SpotNodePool | None = None
    """An extra user pool of Spot VMs (`azurerm_kubernetes_cluster_node_pool`, ID `SpotPool`):
    priority Spot, eviction Delete, maximum price -1, and the taint and label AKS sets on Spot
    nodes declared explicitly (so plans show no drift). Default none (reference)."""
    network: ClusterNetwork = field(default_factory=ClusterNetwork)
    """Pod networking: Azure CNI Overlay with pods in 192.168.0.0/16 (reference) or flat Azure CNI;
    services in 172.16.0.0/16 with DNS at 172.16.0.10. The model validates the ranges."""
    zones: tuple[str, ...] = ALLOWED_ZONES
    """Availability zones of both pools; a subset of 1, 2, 3 (empty for a region without zones)."""
    sku_tier: Literal["Free", "Standard", "Premium"] = "Standard"
    """Control-plane tier; Standard carries the uptime SLA. Reference: Standard. Free (no SLA) is
    for non-production environments; the environment model enforces that (`config.rules.check_cluster_tier`)."""
    private_cluster: bool = True
    """Private API server endpoint (reference). When False the endpoint is public and
    `authorized_ip_ranges` must list who may reach it."""
    authorized_ip_ranges: tuple[str, ...] = field(default_factory=tuple)
    """CIDRs allowed to reach a public API server; only valid when `private_cluster` is False."""
    api_server_vnet_integration: bool = True
    """API-server VNet integration on `api_server_subnet_id` (reference). Default True."""
    automatic_upgrade_channel: Literal["patch"] | None = "patch"
    """`patch` (default, stronger than the reference's `none`): AKS applies Kubernetes patch
    releases in the auto-upgrade window; Terraform then ignores the versions Azure reports
    (hashicorp/terraform-provider-azurerm#26946) and a minor upgrade of `kubernetes_version` is
    applied through `azapi_update_resource` (the stack must declare an `AzapiProvider`). None leaves
    upgrades to `kubernetes_version` alone."""
    container_insights: bool = True
    """Container Insights through the Azure Monitor agent with managed-identity auth. Default True."""
    managed_prometheus: bool = True
    """The metrics profile for Azure Monitor managed Prometheus. Default True."""
    image_cleaner_enabled: bool = True
    """Image Cleaner. Default True (reference)."""
    node_os_maintenance_window: MaintenanceWindow = field(default_factory=MaintenanceWindow)
    """Window of the NodeImage OS upgrades (`config.models.MaintenanceWindow`, which validates the
    day, the HH:MM start and the 4-24 hour length). Reference: weekly, Tuesday 21:00 UTC, 12 h."""
    auto_upgrade_maintenance_window: MaintenanceWindow = field(default_factory=MaintenanceWindow)
    """Window of the `patch` channel upgrades (same default as the node OS window)."""
    image_cleaner_interval_hours: int = 120
    """How often Image Cleaner removes unused images (24-2160). Reference: 120."""
    secret_rotation_enabled: bool = True
    """Key Vault CSI driver secret rotation. Default True, stronger than the reference (false)."""
    secret_rotation_interval: str = "2m"
    """Rotation poll interval when rotation is enabled, e.g. `2m`."""
    depends_on: tuple[ITerraformDependable, ...] = field(default_factory=tuple)
    """Resources that must exist before the cluster (in the same stack), e.g. the control-plane
    identity's role assignments."""


def _validate_access(props: KubernetesClusterProps) -> None:
    ranges = tuple(ipv4_network(f"authorized_ip_ranges[{index}]", cidr)
                   for index, cidr in enumerate(props.authorized_ip_ranges))
    check_api_server_access(props.private_cluster, ranges)
    if props.private_cluster and not props.private_dns_zone_id:
        raise ValueError(
            "private_dns_zone_id: a private cluster needs the BYO privatelink.<region>.azmk8s.io zone")
    if not props.private_cluster and props.private_dns_zone_id is not None:
        raise ValueError("private_dns_zone_id: only a private cluster (private_cluster=True) uses a private DNS zone")


def _validate(props: KubernetesClusterProps) -> None:
    if not _VERSION.match(props.kubernetes_version):
        raise ValueError(
            f"kubernetes_version: {props.kubernetes_version!r} must be major.minor or major.minor.patch, e.g. 1.35")
    check_version_for_channel(props.kubernetes_version, props.automatic_upgrade_channel or "none")
    if not _DNS_PREFIX.match(props.dns_prefix):
        raise ValueError(
            f"dns_prefix: {props.dns_prefix!r} must be 1-54 letters, digits and -, not starting or ending in -")
    if not is_token(props.tenant_id) and not is_guid(props.tenant_id):
        raise ValueError(f"tenant_id: {props.tenant_id!r} is not a tenant ID (GUID)")
    for index, group in enumerate(props.admin_group_object_ids):
        if not is_token(group) and not is_guid(group):
            raise ValueError(f"admin_group_object_ids[{index}]: {group!r} is not an Entra group object ID (GUID)")
    check_node_pool_names(props.system_pool.name, props.user_pool.name)
    if props.spot_pool is not None:
        # The environment type is the model's (rules.check_spot_pool_allowed); the names are checked here too.
        check_spot_pool_name(props.spot_pool.name, props.system_pool.name, props.user_pool.name)
    if len(set(props.zones)) != len(props.zones) or not set(props.zones) <= set(ALLOWED_ZONES):
        raise ValueError(f"zones: {list(props.zones)} must be distinct values out of 1, 2, 3")
    if props.sku_tier not in ("Free", "Standard", "Premium"):
        raise ValueError(f"sku_tier: {props.sku_tier!r} must be Free, Standard or Premium")
    if props.automatic_upgrade_channel not in ("patch", None):
        raise ValueError(
            f"automatic_upgrade_channel: {props.automatic_upgrade_channel!r} must be patch or None "
            "(other channels need unpinned versions)")
    _validate_access(props)
    if not 24 <= props.image_cleaner_interval_hours <= 2160:
        raise ValueError(
            f"image_cleaner_interval_hours: {props.image_cleaner_interval_hours} is outside 24-2160")
    if not _ROTATION_INTERVAL.match(props.secret_rotation_interval):
        raise ValueError(
            f"secret_rotation_interval: {props.secret_rotation_interval!r} must be a duration such as 2m")


class KubernetesCluster(Construct):
    """`azurerm_kubernetes_cluster` with its system pool, a user pool
    (`azurerm_kubernetes_cluster_node_pool`, ID `UserPool`) and diagnostic settings.

    Where it is stricter than the reference (inventory §6):
    - `private_cluster_public_fqdn_enabled = false`: the reference (true) publishes the private
      API server's address in public DNS; here only the private zone resolves it.
    - `automatic_upgrade_channel = "patch"`: the reference (none) leaves Kubernetes patches to a
      person; here they are applied in `auto_upgrade_maintenance_window`.
    - Key Vault CSI secret rotation is on (reference: off).
    - Encryption at host on both pools (reference: off): temp disks and caches are encrypted too.
      The subscription needs the `Microsoft.Compute/EncryptionAtHost` feature registered.
    - The reference's preview `securityProfile.nodeRestriction` has no azurerm attribute and is
      not set here.
    """

    def __init__(self, scope: Construct, id: str, props: KubernetesClusterProps):
        super().__init__(scope, id)
        _validate(props)
        self.kubernetes_version = props.kubernetes_version
        self._container_insights = props.container_insights
        patch_channel = props.automatic_upgrade_channel == "patch"
        zones = list(props.zones) or None
        system = props.system_pool
        user = props.user_pool
        network = props.network
        overlay = network.plugin_mode == "overlay"
        node_os = props.node_os_maintenance_window
        upgrade = props.auto_upgrade_maintenance_window
        self.resource = AzureKubernetesCluster(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            dns_prefix=props.dns_prefix,
            node_resource_group=props.node_resource_group,
            kubernetes_version=self.kubernetes_version,
            sku_tier=props.sku_tier,
            identity=KubernetesClusterIdentity(
                type="UserAssigned", identity_ids=[props.control_plane_identity_id]),
            default_node_pool=KubernetesClusterDefaultNodePool(
                name=system.name,
                temporary_name_for_rotation=rotation_name(system.name),
                vm_size=system.vm_size,
                orchestrator_version=self.kubernetes_version,
                auto_scaling_enabled=True,
                min_count=system.min_count,
                max_count=system.max_count,
                max_pods=system.max_pods,
                host_encryption_enabled=True,
                os_disk_type="Ephemeral",
                os_disk_size_gb=system.os_disk_size_gb,
                os_sku="AzureLinux",
                zones=zones,
                vnet_subnet_id=props.node_subnet_id,
                only_critical_addons_enabled=True,
                upgrade_settings=KubernetesClusterDefaultNodePoolUpgradeSettings(max_surge=system.max_surge),
            ),
            network_profile=KubernetesClusterNetworkProfile(
                network_plugin="azure",
                network_plugin_mode="overlay" if overlay else None,
                network_data_plane=network.data_plane,
                # The data plane enforces network policy: Cilium's own engine, or Azure Network
                # Policy Manager (retiring) on the Azure data plane.
                network_policy=network.data_plane,
                outbound_type="userDefinedRouting",
                load_balancer_sku="standard",
                pod_cidr=str(network.overlay_pod_cidr) if overlay else None,
                service_cidr=str(network.service_cidr),
                dns_service_ip=str(network.dns_service_ip),
            ),
            private_cluster_enabled=props.private_cluster,
            private_dns_zone_id=props.private_dns_zone_id if props.private_cluster else None,
            private_cluster_public_fqdn_enabled=False if props.private_cluster else None,
            api_server_access_profile=KubernetesClusterApiServerAccessProfile(
                subnet_id=props.api_server_subnet_id if props.api_server_vnet_integration else None,
                virtual_network_integration_enabled=True if props.api_server_vnet_integration else None,
                authorized_ip_ranges=None if props.private_cluster else list(props.authorized_ip_ranges),
            ) if props.api_server_vnet_integration or not props.private_cluster else None,
            run_command_enabled=False,
            role_based_access_control_enabled=True,
            local_account_disabled=True,
            azure_active_directory_role_based_access_control=(
                KubernetesClusterAzureActiveDirectoryRoleBasedAccessControl(
                    azure_rbac_enabled=True,
                    tenant_id=props.tenant_id,
                    admin_group_object_ids=list(props.admin_group_object_ids) or None,
                )
            ),
            azure_policy_enabled=True,
            oms_agent=KubernetesClusterOmsAgent(
                log_analytics_workspace_id=props.log_analytics_workspace_id,
                msi_auth_for_monitoring_enabled=True,
            ) if props.container_insights else None,
            key_vault_secrets_provider=KubernetesClusterKeyVaultSecretsProvider(
                secret_rotation_enabled=props.secret_rotation_enabled,
                secret_rotation_interval=props.secret_rotation_interval if props.secret_rotation_enabled else None,
            ),
            workload_identity_enabled=True,
            oidc_issuer_enabled=True,
            image_cleaner_enabled=props.image_cleaner_enabled,
            image_cleaner_interval_hours=props.image_cleaner_interval_hours if props.image_cleaner_enabled else None,
            microsoft_defender=KubernetesClusterMicrosoftDefender(
                log_analytics_workspace_id=props.defender_log_analytics_workspace_id,
            ) if props.defender_log_analytics_workspace_id else None,
            monitor_metrics=KubernetesClusterMonitorMetrics() if props.managed_prometheus else None,
            storage_profile=KubernetesClusterStorageProfile(
                blob_driver_enabled=False,
                disk_driver_enabled=False,
                file_driver_enabled=False,
                snapshot_controller_enabled=False,
            ),
            node_os_upgrade_channel="NodeImage",
            maintenance_window_node_os=KubernetesClusterMaintenanceWindowNodeOs(
                frequency="Weekly",
                interval=1,
                day_of_week=node_os.day,
                start_time=node_os.start,
                duration=node_os.duration_hours,
                utc_offset="+00:00",
            ),
            automatic_upgrade_channel=props.automatic_upgrade_channel,
            maintenance_window_auto_upgrade=KubernetesClusterMaintenanceWindowAutoUpgrade(
                frequency="Weekly",
                interval=1,
                day_of_week=upgrade.day,
                start_time=upgrade.start,
                duration=upgrade.duration_hours,
                utc_offset="+00:00",
            ) if props.automatic_upgrade_channel else None,
            auto_scaler_profile=KubernetesClusterAutoScalerProfile(
                balance_similar_node_groups=False,
                expander="random",
                empty_bulk_delete_max="10",
                max_graceful_termination_sec="600",
                max_node_provisioning_time="15m",
                max_unready_percentage=45,
                new_pod_scale_up_delay="0s",
                max_unready_nodes=3,
                scale_down_delay_after_add="10m",
                scale_down_delay_after_delete="20s",
                scale_down_delay_after_failure="3m",
                scale_down_unneeded="10m",
                scale_down_unready="20m",
                scale_down_utilization_threshold="0.5",
                scan_interval="10s",
                skip_nodes_with_local_storage=True,
                skip_nodes_with_system_pods=True,
            ),
            depends_on=list(props.depends_on) or None,
            # With the patch channel Azure reports the patch it applied; without this every plan
            # after an automatic patch would show an update (hashicorp/terraform-provider-azurerm#26946).
            lifecycle=TerraformResourceLifecycle(
                ignore_changes=["kubernetes_version", "default_node_pool[0].orchestrator_version"],
            ) if patch_channel else None,
        )
        self.user_pool = KubernetesClusterNodePool(
            self,
            "UserPool",
            **self._user_mode_pool(user, props, zones, patch_channel),
            upgrade_settings=KubernetesClusterNodePoolUpgradeSettings(max_surge=user.max_surge),
        )
        self.spot_pool = self._spot_pool(props, zones, patch_channel) if props.spot_pool else None
        self.version_upgrades = self._minor_upgrades(system.name) if patch_channel else ()
        self.diagnostics = DiagnosticSettings(self, "Diagnostics", DiagnosticSettingsProps(
            target=self.resource, log_analytics_workspace_id=props.log_analytics_workspace_id))

    def _spot_pool(self, props: KubernetesClusterProps, zones: list[str] | None,
                   patch_channel: bool) -> KubernetesClusterNodePool:
        """The Spot user pool (https://learn.microsoft.com/azure/aks/spot-node-pool). No upgrade
        settings: AKS upgrades Spot nodes by cordon and eviction, without surge nodes."""
        spot = props.spot_pool
        assert spot is not None
        label_key, label_value = SPOT_LABEL
        return KubernetesClusterNodePool(
            self,
            "SpotPool",
            **self._user_mode_pool(spot, props, zones, patch_channel),
            priority="Spot",
            eviction_policy=SPOT_EVICTION_POLICY,
            spot_max_price=SPOT_MAX_PRICE,
            node_labels={label_key: label_value},
            node_taints=[SPOT_TAINT],
        )

    def _user_mode_pool(self, pool: Any, props: KubernetesClusterProps, zones: list[str] | None,
                        patch_channel: bool) -> dict[str, Any]:
        """What every user-mode pool shares: the baseline's node security (encryption at host,
        ephemeral OS disk, Azure Linux), autoscaling, the node subnet and zones, and the version
        handling of the upgrade channel."""
        return {
            "name": pool.name,
            "kubernetes_cluster_id": self.resource.id,
            "mode": "User",
            "temporary_name_for_rotation": rotation_name(pool.name),
            "vm_size": pool.vm_size,
            "orchestrator_version": self.kubernetes_version,
            "auto_scaling_enabled": True,
            "min_count": pool.min_count,
            "max_count": pool.max_count,
            "max_pods": pool.max_pods,
            "host_encryption_enabled": True,
            "os_type": "Linux",
            "os_disk_type": "Ephemeral",
            "os_disk_size_gb": pool.os_disk_size_gb,
            "os_sku": "AzureLinux",
            "zones": zones,
            "vnet_subnet_id": props.node_subnet_id,
            "lifecycle": TerraformResourceLifecycle(ignore_changes=["orchestrator_version"]) if patch_channel else None,
        }

    def _minor_upgrades(self, system_pool_name: str) -> tuple[AzapiUpdateResource, ...]:
        """The minor version the environment names, applied by azapi (azurerm ignores the versions
        under the patch channel): the control plane, then the system pool, then the user pool. A
        keeper on major.minor replaces the updates, so they run again only when the minor changes
        (the Azure/terraform-azurerm-aks pattern); an automatic patch changes nothing here."""
        # time_static, not terraform_data: replacing it on a new minor is all a keeper does, and
        # terraform_data makes every synth run `terraform version` (cdktf's version check), so a
        # machine without Terraform could not synthesize.
        self.version_keeper = StaticResource(self, "VersionKeeper", triggers={"version": self.kubernetes_version})
        once_per_minor = TerraformResourceLifecycle(ignore_changes="all")
        updates = [AzapiUpdateResource(
            self, "ControlPlaneVersion", type=f"Microsoft.ContainerService/managedClusters@{CONTAINER_SERVICE_API}",
            resource_id=self.resource.id, body={"properties": {"kubernetesVersion": self.kubernetes_version}},
            lifecycle=once_per_minor)]
        pools = {"SystemPoolVersion": f"{self.resource.id}/agentPools/{system_pool_name}",
                 "UserPoolVersion": self.user_pool.id}
        if self.spot_pool is not None:
            pools["SpotPoolVersion"] = self.spot_pool.id
        for construct_id, pool_id in pools.items():
            # Each pool after the one before it, the first after the control plane.
            updates.append(AzapiUpdateResource(
                self, construct_id,
                type=f"Microsoft.ContainerService/managedClusters/agentPools@{CONTAINER_SERVICE_API}",
                resource_id=pool_id, body={"properties": {"orchestratorVersion": self.kubernetes_version}},
                depends_on=(updates[-1],), lifecycle=once_per_minor))
        # Terraform takes replace_triggered_by in JSON only as a bare reference
        # ("time_static.<name>"); cdktf writes "${...}", which `terraform validate` rejects.
        keeper = f"{StaticResource.TF_RESOURCE_TYPE}.{self.version_keeper.friendly_unique_id}"
        for update in updates:
            update.add_override("lifecycle.replace_triggered_by", [keeper])
        return tuple(updates)

    @property
    def id(self) -> str:
        """Resource ID of the cluster (scope of the AKS RBAC role assignments)."""
        return self.resource.id

    @property
    def name(self) -> str:
        """Azure name of the cluster."""
        return self.resource.name

    @property
    def oidc_issuer_url(self) -> str:
        """Issuer of the cluster's service-account tokens (for federated credentials)."""
        return self.resource.oidc_issuer_url

    @property
    def monitoring_agent_object_id(self) -> str | None:
        """Object ID of the Container Insights agent's identity (Monitoring Metrics Publisher), or None
        when Container Insights is off."""
        if not self._container_insights:
            return None
        return str(self.resource.oms_agent.oms_agent_identity.get(0).object_id)

    @property
    def kubelet_object_id(self) -> str:
        """Object ID of the AKS-created kubelet identity (AcrPull, Virtual Machine Contributor)."""
        return self.resource.kubelet_identity.object_id

    @property
    def node_resource_group_id(self) -> str:
        """Resource ID of the node resource group (scope of Virtual Machine Contributor)."""
        return self.resource.node_resource_group_id
