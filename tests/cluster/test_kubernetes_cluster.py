"""KubernetesCluster: every baseline setting on the synthesized JSON, its variants, and its rules."""

from __future__ import annotations

import dataclasses

import pytest
from cdktf import TerraformOutput

from constructs_lib.cluster.kubernetes_cluster import (
    KubernetesCluster,
    KubernetesClusterProps,
)
from constructs_lib.config.models import (
    ClusterNetwork,
    MaintenanceWindow,
    SpotNodePool,
    SystemNodePool,
    UserNodePool,
)
from constructs_lib.security.managed_identity import (
    FederatedCredentialSpec,
    ManagedIdentity,
    ManagedIdentityProps,
)
from constructs_lib.security.role_assignments import (
    RoleAssignments,
    RoleAssignmentSpec,
    RoleAssignmentsProps,
)
from tests.synth import empty_stack, synth_construct

SUB = "/subscriptions/0000/resourceGroups/rg-spoke/providers"
NODE_SUBNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet/subnets/snet-clusternodes"
API_SUBNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet/subnets/snet-privatecluster"
DNS_ZONE = f"{SUB}/Microsoft.Network/privateDnsZones/privatelink.eastus2.azmk8s.io"
WORKSPACE = f"{SUB}/Microsoft.OperationalInsights/workspaces/log-aks"
DEFENDER_WORKSPACE = f"{SUB}/Microsoft.OperationalInsights/workspaces/log-aks-defender"
ACR = f"{SUB}/Microsoft.ContainerRegistry/registries/craks"
TENANT = "11111111-1111-1111-1111-111111111111"
ADMINS = "22222222-2222-2222-2222-222222222222"

BASE = KubernetesClusterProps(
    name="aks-base",
    location="eastus2",
    resource_group_name="rg-cluster",
    dns_prefix="aks-base",
    node_resource_group="rg-aks-base-nodepools",
    kubernetes_version="1.35",
    control_plane_identity_id=f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-cp",
    tenant_id=TENANT,
    admin_group_object_ids=(ADMINS,),
    node_subnet_id=NODE_SUBNET,
    api_server_subnet_id=API_SUBNET,
    private_dns_zone_id=DNS_ZONE,
    log_analytics_workspace_id=WORKSPACE,
    defender_log_analytics_workspace_id=DEFENDER_WORKSPACE,
    system_pool=SystemNodePool(),
    user_pool=UserNodePool(),
)


def props(**changes) -> KubernetesClusterProps:
    return dataclasses.replace(BASE, **changes)


@pytest.fixture(scope="module")
def doc():
    """One synth: the baseline cluster wired to real identities and role assignments, plus variants."""

    def build(stack):
        control_plane = ManagedIdentity(stack, "ControlPlane", ManagedIdentityProps(
            name="id-aks-controlplane", location="eastus2", resource_group_name="rg-cluster"))
        prerequisites = RoleAssignments(stack, "ControlPlaneRoles", RoleAssignmentsProps(role_assignments={
            "DnsZone": RoleAssignmentSpec("Private DNS Zone Contributor", control_plane.principal_id, DNS_ZONE),
            "NodeSubnet": RoleAssignmentSpec("Network Contributor", control_plane.principal_id, NODE_SUBNET),
            "ApiSubnet": RoleAssignmentSpec("Network Contributor", control_plane.principal_id, API_SUBNET),
        }))
        cluster = KubernetesCluster(stack, "Cluster", props(
            name="aks-main", control_plane_identity_id=control_plane.id, depends_on=tuple(prerequisites.assignments.values())))
        ManagedIdentity(stack, "Ingress", ManagedIdentityProps(
            name="id-ingress", location="eastus2", resource_group_name="rg-cluster",
            federated_credentials=(FederatedCredentialSpec(
                "ingress-controller", cluster.oidc_issuer_url, "a0008", "traefik-ingress-controller"),)))
        RoleAssignments(stack, "KubeletRoles", RoleAssignmentsProps(role_assignments={
            "AcrPull": RoleAssignmentSpec("AcrPull", cluster.kubelet_object_id, ACR),
            "NodeVms": RoleAssignmentSpec("Virtual Machine Contributor", cluster.kubelet_object_id,
                                          cluster.node_resource_group_id),
            "Admins": RoleAssignmentSpec("Azure Kubernetes Service RBAC Cluster Admin", ADMINS, cluster.id,
                                         principal_type="Group"),
        }))
        TerraformOutput(stack, "cluster_name", value=cluster.name)
        TerraformOutput(stack, "cluster_id", value=cluster.id)
        KubernetesCluster(stack, "Flat", props(
            name="aks-flat", network=ClusterNetwork(plugin_mode="flat", data_plane="azure"), zones=(),
            admin_group_object_ids=(), defender_log_analytics_workspace_id=None, container_insights=False,
            managed_prometheus=False, image_cleaner_enabled=False))
        KubernetesCluster(stack, "Public", props(
            name="aks-public", private_cluster=False, private_dns_zone_id=None,
            authorized_ip_ranges=("203.0.113.0/24", "198.51.100.7/32")))
        KubernetesCluster(stack, "PublicNoVni", props(
            name="aks-public-novni", private_cluster=False, private_dns_zone_id=None,
            api_server_vnet_integration=False, authorized_ip_ranges=("203.0.113.0/24",)))
        KubernetesCluster(stack, "PrivateNoVni", props(name="aks-private-novni", api_server_vnet_integration=False))
        KubernetesCluster(stack, "Manual", props(
            name="aks-manual", automatic_upgrade_channel=None, kubernetes_version="1.35.4", secret_rotation_enabled=False,
            node_os_maintenance_window=MaintenanceWindow(day="Saturday", start="02:30", duration_hours=6),
            image_cleaner_interval_hours=48, sku_tier="Premium"))
        KubernetesCluster(stack, "Windows", props(
            name="aks-windows", auto_upgrade_maintenance_window=MaintenanceWindow(day="Sunday", start="04:00", duration_hours=8)))

    return synth_construct(build)


def cluster(doc, name: str = "aks-main") -> dict:
    return doc.named("azurerm_kubernetes_cluster", name)


def user_pool_of(doc, cluster_name: str) -> dict:
    cluster_id = doc.ref("azurerm_kubernetes_cluster", name=cluster_name)
    pools = [p for p in doc.resources("azurerm_kubernetes_cluster_node_pool").values()
             if p["kubernetes_cluster_id"] == cluster_id]
    assert len(pools) == 1, f"{cluster_name}: expected one user pool, found {len(pools)}"
    return pools[0]


# --- core, identity, SKU --------------------------------------------------------------------------

def test_core_settings(doc):
    aks = cluster(doc)
    assert (aks["location"], aks["resource_group_name"]) == ("eastus2", "rg-cluster")
    assert aks["sku_tier"] == "Standard"
    assert aks["dns_prefix"] == "aks-base"
    assert "dns_prefix_private_cluster" not in aks
    assert aks["node_resource_group"] == "rg-aks-base-nodepools"
    assert aks["role_based_access_control_enabled"] is True


def test_control_plane_uses_the_user_assigned_identity(doc):
    aks = cluster(doc)
    assert aks["identity"] == {
        "type": "UserAssigned",
        "identity_ids": [doc.ref("azurerm_user_assigned_identity", name="id-aks-controlplane")],
    }
    assert "kubelet_identity" not in aks, "the kubelet identity is AKS-created, as in the reference"


def test_patch_channel_emits_the_minor_version_everywhere(doc):
    aks = cluster(doc)
    assert aks["kubernetes_version"] == "1.35"
    assert aks["default_node_pool"]["orchestrator_version"] == "1.35"
    assert user_pool_of(doc, "aks-main")["orchestrator_version"] == "1.35"


def test_patch_channel_ignores_the_versions_azure_reports(doc):
    # After an automatic patch Azure reports 1.35.x; without these, every plan shows an update
    # (hashicorp/terraform-provider-azurerm#26946).
    assert cluster(doc)["lifecycle"] == {
        "ignore_changes": ["kubernetes_version", "default_node_pool[0].orchestrator_version"]}
    assert user_pool_of(doc, "aks-main")["lifecycle"] == {"ignore_changes": ["orchestrator_version"]}


def _updates_of(doc, cluster_name: str) -> dict[str, dict]:
    cluster_id = doc.ref("azurerm_kubernetes_cluster", name=cluster_name)
    pool_id = f"${{azurerm_kubernetes_cluster_node_pool.{next(k for k, p in doc.resources('azurerm_kubernetes_cluster_node_pool').items() if p['kubernetes_cluster_id'] == cluster_id)}.id}}"
    return {u["resource_id"].replace(cluster_id, "CLUSTER").replace(pool_id, "USERPOOL"): u
            for u in doc.resources("azapi_update_resource").values()
            if u["resource_id"] in (cluster_id, pool_id) or u["resource_id"].startswith(f"{cluster_id}/")}


def test_a_minor_upgrade_is_applied_once_per_minor_through_azapi(doc):
    updates = _updates_of(doc, "aks-main")
    assert set(updates) == {"CLUSTER", "CLUSTER/agentPools/npsystem", "USERPOOL"}
    keepers = [k for k, body in doc.resources("time_static").items() if body["triggers"] == {"version": "1.35"}]
    assert keepers, "a keeper on major.minor replaces the updates when the minor changes"
    control, system, user = updates["CLUSTER"], updates["CLUSTER/agentPools/npsystem"], updates["USERPOOL"]
    assert control["type"] == "Microsoft.ContainerService/managedClusters@2024-02-01"
    assert control["body"] == {"properties": {"kubernetesVersion": "1.35"}}
    assert system["type"] == user["type"] == "Microsoft.ContainerService/managedClusters/agentPools@2024-02-01"
    assert system["body"] == user["body"] == {"properties": {"orchestratorVersion": "1.35"}}
    by_id = {f"azapi_update_resource.{k}": v for k, v in doc.resources("azapi_update_resource").items()}
    assert by_id[system["depends_on"][0]] is control and by_id[user["depends_on"][0]] is system
    for update in (control, system, user):
        # A bare reference: `terraform validate` rejects "${...}" in replace_triggered_by.
        assert update["lifecycle"]["ignore_changes"] == "all"
        assert update["lifecycle"]["replace_triggered_by"][0] in {f"time_static.{k}" for k in keepers}


def test_manual_upgrades_keep_the_pinned_patch_and_nothing_is_ignored(doc):
    aks = cluster(doc, "aks-manual")
    assert aks["kubernetes_version"] == "1.35.4"
    assert aks["default_node_pool"]["orchestrator_version"] == "1.35.4"
    assert user_pool_of(doc, "aks-manual")["orchestrator_version"] == "1.35.4"
    assert "lifecycle" not in aks and "lifecycle" not in user_pool_of(doc, "aks-manual")
    assert not _updates_of(doc, "aks-manual")
    assert aks["sku_tier"] == "Premium"


def test_role_assignments_precede_the_cluster(doc):
    expected = {f"azurerm_role_assignment.{k}" for k in doc.resources("azurerm_role_assignment")
                if k.startswith("ControlPlaneRoles_")}
    assert len(expected) == 3
    assert set(cluster(doc)["depends_on"]) == expected
    assert "depends_on" not in cluster(doc, "aks-flat")


# --- node pools -----------------------------------------------------------------------------------

def test_system_pool(doc):
    assert cluster(doc)["default_node_pool"] == {
        "name": "npsystem",
        "temporary_name_for_rotation": "npsystemtmp",
        "vm_size": "Standard_D2d_v5",
        "orchestrator_version": "1.35",
        "auto_scaling_enabled": True,
        "min_count": 3,
        "max_count": 4,
        "max_pods": 30,
        "host_encryption_enabled": True,
        "os_disk_type": "Ephemeral",
        "os_disk_size_gb": 64,
        "os_sku": "AzureLinux",
        "zones": ["1", "2", "3"],
        "vnet_subnet_id": NODE_SUBNET,
        "only_critical_addons_enabled": True,
        "upgrade_settings": {"max_surge": "33%"},
    }


def test_user_pool_belongs_to_the_cluster(doc):
    pool = user_pool_of(doc, "aks-main")
    assert pool == {
        "name": "npuser01",
        "kubernetes_cluster_id": doc.ref("azurerm_kubernetes_cluster", name="aks-main"),
        "mode": "User",
        "temporary_name_for_rotation": "npuser01tmp",
        "vm_size": "Standard_D4d_v5",
        "orchestrator_version": "1.35",
        "auto_scaling_enabled": True,
        "min_count": 2,
        "max_count": 5,
        "max_pods": 30,
        "host_encryption_enabled": True,
        "os_type": "Linux",
        "os_disk_type": "Ephemeral",
        "os_disk_size_gb": 120,
        "os_sku": "AzureLinux",
        "zones": ["1", "2", "3"],
        "vnet_subnet_id": NODE_SUBNET,
        "upgrade_settings": {"max_surge": "33%"},
        "lifecycle": {"ignore_changes": ["orchestrator_version"]},
    }
    assert "node_taints" not in pool


def test_pool_values_come_from_the_pool_models(doc):
    stack = empty_stack("pools")
    custom = KubernetesCluster(stack, "Cluster", props(
        system_pool=SystemNodePool(name="sys", vm_size="Standard_D4d_v5", min_count=2, max_count=6,
                                   max_pods=50, os_disk_size_gb=100, max_surge="2"),
        user_pool=UserNodePool(name="work", min_count=1, max_count=9, max_surge="50%")))
    assert custom.resource.default_node_pool.name_input == "sys"
    assert custom.resource.default_node_pool.temporary_name_for_rotation_input == "systmp"
    assert custom.user_pool.max_count_input == 9
    assert custom.user_pool.temporary_name_for_rotation_input == "worktmp"


def test_no_zones_means_no_zones_attribute(doc):
    assert "zones" not in cluster(doc, "aks-flat")["default_node_pool"]
    assert "zones" not in user_pool_of(doc, "aks-flat")


# --- networking -----------------------------------------------------------------------------------

def test_overlay_network_profile_with_cilium(doc):
    assert cluster(doc)["network_profile"] == {
        "network_plugin": "azure",
        "network_plugin_mode": "overlay",
        "network_data_plane": "cilium",
        "network_policy": "cilium",
        "outbound_type": "userDefinedRouting",
        "load_balancer_sku": "standard",
        "pod_cidr": "192.168.0.0/16",
        "service_cidr": "172.16.0.0/16",
        "dns_service_ip": "172.16.0.10",
    }


def test_flat_network_profile_has_no_overlay_settings(doc):
    assert cluster(doc, "aks-flat")["network_profile"] == {
        "network_plugin": "azure",
        "network_data_plane": "azure",
        "network_policy": "azure",
        "outbound_type": "userDefinedRouting",
        "load_balancer_sku": "standard",
        "service_cidr": "172.16.0.0/16",
        "dns_service_ip": "172.16.0.10",
    }


# --- control-plane access -------------------------------------------------------------------------

def test_private_vnet_integrated_api_server(doc):
    aks = cluster(doc)
    assert aks["private_cluster_enabled"] is True
    assert aks["private_dns_zone_id"] == DNS_ZONE
    assert aks["private_cluster_public_fqdn_enabled"] is False
    assert aks["api_server_access_profile"] == {
        "subnet_id": API_SUBNET, "virtual_network_integration_enabled": True}
    assert aks["run_command_enabled"] is False


def test_public_api_server_is_restricted_to_authorized_ranges(doc):
    aks = cluster(doc, "aks-public")
    assert aks["private_cluster_enabled"] is False
    assert "private_dns_zone_id" not in aks and "private_cluster_public_fqdn_enabled" not in aks
    assert aks["api_server_access_profile"] == {
        "subnet_id": API_SUBNET,
        "virtual_network_integration_enabled": True,
        "authorized_ip_ranges": ["203.0.113.0/24", "198.51.100.7/32"],
    }
    assert aks["run_command_enabled"] is False


def test_without_vnet_integration_there_is_no_api_server_subnet(doc):
    assert "api_server_access_profile" not in cluster(doc, "aks-private-novni")
    assert cluster(doc, "aks-public-novni")["api_server_access_profile"] == {
        "authorized_ip_ranges": ["203.0.113.0/24"]}


# --- Entra ID -------------------------------------------------------------------------------------

def test_entra_id_with_azure_rbac_and_no_local_accounts(doc):
    aks = cluster(doc)
    assert aks["azure_active_directory_role_based_access_control"] == {
        "azure_rbac_enabled": True, "tenant_id": TENANT, "admin_group_object_ids": [ADMINS]}
    assert aks["local_account_disabled"] is True


def test_admin_groups_may_be_empty(doc):
    entra = cluster(doc, "aks-flat")["azure_active_directory_role_based_access_control"]
    assert entra == {"azure_rbac_enabled": True, "tenant_id": TENANT}


# --- add-ons and profiles -------------------------------------------------------------------------

def test_add_ons(doc):
    aks = cluster(doc)
    assert aks["azure_policy_enabled"] is True
    assert aks["oms_agent"] == {"log_analytics_workspace_id": WORKSPACE, "msi_auth_for_monitoring_enabled": True}
    # Defender reports to its own workspace (workspace keys), never the Entra-only main one.
    assert aks["microsoft_defender"] == {"log_analytics_workspace_id": DEFENDER_WORKSPACE}
    assert aks["monitor_metrics"] == {}
    assert aks["workload_identity_enabled"] is True
    assert aks["oidc_issuer_enabled"] is True
    assert (aks["image_cleaner_enabled"], aks["image_cleaner_interval_hours"]) == (True, 120)
    for absent in ("http_application_routing_enabled", "web_app_routing", "ingress_application_gateway",
                   "key_management_service", "service_mesh_profile", "linux_profile"):
        assert absent not in aks


def test_optional_add_ons_can_be_left_out(doc):
    flat = cluster(doc, "aks-flat")
    for absent in ("oms_agent", "microsoft_defender", "monitor_metrics", "image_cleaner_interval_hours"):
        assert absent not in flat
    assert flat["image_cleaner_enabled"] is False
    assert flat["azure_policy_enabled"] is True and flat["key_vault_secrets_provider"]
    assert flat["workload_identity_enabled"] is True


def test_secret_rotation_on_by_default(doc):
    assert cluster(doc)["key_vault_secrets_provider"] == {
        "secret_rotation_enabled": True, "secret_rotation_interval": "2m"}
    assert cluster(doc, "aks-manual")["key_vault_secrets_provider"] == {"secret_rotation_enabled": False}
    assert cluster(doc, "aks-manual")["image_cleaner_interval_hours"] == 48


def test_all_csi_storage_drivers_off(doc):
    assert cluster(doc)["storage_profile"] == {
        "blob_driver_enabled": False,
        "disk_driver_enabled": False,
        "file_driver_enabled": False,
        "snapshot_controller_enabled": False,
    }


def test_upgrade_channels_and_windows(doc):
    aks = cluster(doc)
    window = {"frequency": "Weekly", "interval": 1, "day_of_week": "Tuesday", "start_time": "21:00",
              "duration": 12, "utc_offset": "+00:00"}
    assert aks["node_os_upgrade_channel"] == "NodeImage"
    assert aks["maintenance_window_node_os"] == window
    assert aks["automatic_upgrade_channel"] == "patch"
    assert aks["maintenance_window_auto_upgrade"] == window


def test_windows_are_configurable_independently(doc):
    aks = cluster(doc, "aks-windows")
    assert aks["maintenance_window_node_os"]["day_of_week"] == "Tuesday"
    auto = aks["maintenance_window_auto_upgrade"]
    assert (auto["day_of_week"], auto["start_time"], auto["duration"]) == ("Sunday", "04:00", 8)


def test_manual_control_plane_upgrades_have_no_auto_upgrade_window(doc):
    aks = cluster(doc, "aks-manual")
    assert "automatic_upgrade_channel" not in aks
    assert "maintenance_window_auto_upgrade" not in aks
    assert aks["node_os_upgrade_channel"] == "NodeImage"
    node_os = aks["maintenance_window_node_os"]
    assert (node_os["day_of_week"], node_os["start_time"], node_os["duration"]) == ("Saturday", "02:30", 6)


def test_autoscaler_profile_matches_the_reference(doc):
    assert cluster(doc)["auto_scaler_profile"] == {
        "balance_similar_node_groups": False,
        "expander": "random",
        "empty_bulk_delete_max": "10",
        "max_graceful_termination_sec": "600",
        "max_node_provisioning_time": "15m",
        "max_unready_percentage": 45,
        "new_pod_scale_up_delay": "0s",
        "max_unready_nodes": 3,
        "scale_down_delay_after_add": "10m",
        "scale_down_delay_after_delete": "20s",
        "scale_down_delay_after_failure": "3m",
        "scale_down_unneeded": "10m",
        "scale_down_unready": "20m",
        "scale_down_utilization_threshold": "0.5",
        "scan_interval": "10s",
        "skip_nodes_with_local_storage": True,
        "skip_nodes_with_system_pods": True,
    }


# --- diagnostics and outputs ----------------------------------------------------------------------

def test_cluster_diagnostics(doc):
    cluster_id = doc.ref("azurerm_kubernetes_cluster", name="aks-main")
    settings = [s for s in doc.resources("azurerm_monitor_diagnostic_setting").values()
                if s["target_resource_id"] == cluster_id]
    assert len(settings) == 1
    assert settings[0]["log_analytics_workspace_id"] == WORKSPACE
    assert [log["category"] for log in settings[0]["enabled_log"]] == [
        "cluster-autoscaler", "kube-controller-manager", "kube-audit-admin", "guard"]
    assert "enabled_metric" not in settings[0]


def test_outputs_feed_identities_and_role_assignments(doc):
    credential = doc.named("azurerm_federated_identity_credential", "ingress-controller")
    assert credential["issuer"] == doc.ref("azurerm_kubernetes_cluster", "oidc_issuer_url", name="aks-main")
    assert credential["subject"] == "system:serviceaccount:a0008:traefik-ingress-controller"
    kubelet = doc.ref("azurerm_kubernetes_cluster", "kubelet_identity[0].object_id", name="aks-main")
    grants = {k.split("_")[1]: body for k, body in doc.resources("azurerm_role_assignment").items()
              if k.startswith("KubeletRoles_")}
    assert (grants["Assignment-AcrPull"]["principal_id"], grants["Assignment-AcrPull"]["scope"]) == (kubelet, ACR)
    assert grants["Assignment-NodeVms"]["principal_id"] == kubelet
    assert grants["Assignment-NodeVms"]["scope"] == doc.ref(
        "azurerm_kubernetes_cluster", "node_resource_group_id", name="aks-main")
    assert grants["Assignment-Admins"]["scope"] == doc.ref("azurerm_kubernetes_cluster", name="aks-main")


def test_name_and_id_outputs(doc):
    assert doc.doc["output"]["cluster_name"]["value"] == doc.ref("azurerm_kubernetes_cluster", "name", name="aks-main")
    assert doc.doc["output"]["cluster_id"]["value"] == doc.ref("azurerm_kubernetes_cluster", name="aks-main")


# --- validation -----------------------------------------------------------------------------------

def build(candidate: KubernetesClusterProps) -> None:
    KubernetesCluster(empty_stack("invalid"), "Cluster", candidate)


@pytest.mark.parametrize("changes, match", [
    ({"kubernetes_version": "v1.35.0"}, r"kubernetes_version: 'v1\.35\.0' must be major\.minor"),
    ({"kubernetes_version": "1.35.0.1"}, "kubernetes_version"),
    ({"kubernetes_version": "1.35.4"}, r"kubernetes_version: '1\.35\.4' pins a patch, but the patch upgrade channel"),
    ({"kubernetes_version": "1"}, "kubernetes_version"),
    ({"dns_prefix": "-aks"}, "dns_prefix"),
    ({"dns_prefix": "a" * 55}, "dns_prefix"),
    ({"tenant_id": "contoso.onmicrosoft.com"}, "tenant_id: .* not a tenant ID"),
    ({"admin_group_object_ids": (ADMINS, "admins")}, r"admin_group_object_ids\[1\]"),
    ({"user_pool": UserNodePool(name="npsystem")}, "user_pool.name: 'npsystem' is already system_pool's name"),
    ({"system_pool": SystemNodePool(name="npsystem0001"), "user_pool": UserNodePool(name="npsystem0002")},
     "share their first 9 characters, so their temporary stand-ins during a rotation would both be named 'npsystem0tmp'"),
    ({"user_pool": UserNodePool(name="npsystemtmp")}, "is the name system_pool's temporary stand-in gets while 'npsystem' "
                                                      "is rotated"),
    ({"spot_pool": SpotNodePool(name="npuser01")}, r"spot_pool\.name: 'npuser01' is already user_pool's name"),
    ({"spot_pool": SpotNodePool(name="abcdefghitmp")}, r"'abcdefghitmp' is the name its own temporary stand-in would get"),
    ({"zones": ("1", "4")}, r"zones: \['1', '4'\] must be distinct values out of 1, 2, 3"),
    ({"zones": ("1", "1")}, "zones"),
    ({"sku_tier": "Paid"}, "sku_tier"),
    ({"automatic_upgrade_channel": "stable"}, "automatic_upgrade_channel: 'stable' must be patch or None"),
    ({"authorized_ip_ranges": ("203.0.113.0/24",)}, "authorized_ip_ranges: a private cluster's API server"),
    ({"private_dns_zone_id": None}, "private_dns_zone_id: a private cluster needs"),
    ({"private_cluster": False, "private_dns_zone_id": None}, "a public API server must be limited"),
    ({"private_cluster": False, "authorized_ip_ranges": ("203.0.113.0/24",)},
     "private_dns_zone_id: only a private cluster"),
    ({"private_cluster": False, "private_dns_zone_id": None, "authorized_ip_ranges": ("203.0.113.0/24", "office")},
     r"authorized_ip_ranges\[1\]: 'office' is not a CIDR: 'office' is not an IPv4 address"),
    ({"private_cluster": False, "private_dns_zone_id": None, "authorized_ip_ranges": ("203.0.113.1/24",)},
     r"authorized_ip_ranges\[0\]"),
    ({"private_cluster": False, "private_dns_zone_id": None, "authorized_ip_ranges": ("0.0.0.0/0",)},
     "would open the API server to the internet"),
    ({"image_cleaner_interval_hours": 12}, "image_cleaner_interval_hours: 12 is outside 24-2160"),
    ({"secret_rotation_interval": "2 minutes"}, "secret_rotation_interval: '2 minutes' must be a duration"),
])
def test_invalid_props_are_refused(changes, match):
    with pytest.raises(ValueError, match=match):
        build(props(**changes))


def test_minor_version_without_a_channel_is_accepted():
    stack = empty_stack("alias")
    built = KubernetesCluster(stack, "Cluster", props(kubernetes_version="1.36", automatic_upgrade_channel=None))
    assert built.kubernetes_version == "1.36"
