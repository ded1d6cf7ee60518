"""Cluster stack: the workload team's AKS cluster and everything it needs in one region."""

from __future__ import annotations

from cdktf import TerraformStack
from cdktf_cdktf_provider_azurerm.data_azurerm_client_config import (
    DataAzurermClientConfig,
)
from constructs import Construct

from constructs_lib.observability.action_group import ActionGroup, ActionGroupProps
from constructs_lib.ingress.application_gateway import (
    ApplicationGateway,
    ApplicationGatewayProps,
)
from constructs_lib.observability.budget import Budget, BudgetProps
from constructs_lib.observability.cluster_alerts import ClusterAlerts, ClusterAlertsProps
from constructs_lib.observability.cluster_monitoring import ClusterMonitoring, ClusterMonitoringProps
from constructs_lib.cluster.policies import ClusterPolicies, ClusterPoliciesProps
from constructs_lib.config.models import Environment, Region
from constructs_lib.security.container_registry import ContainerRegistry, ContainerRegistryProps
from constructs_lib.stacks.hub_lookup import HubLookup, HubLookupProps
from constructs_lib.security.key_vault import KeyVault, KeyVaultCertificateSpec, KeyVaultProps
from constructs_lib.cluster.kubernetes_cluster import (
    KubernetesCluster,
    KubernetesClusterProps,
    MaintenanceWindow,
)
from constructs_lib.observability.log_analytics import (
    LogAnalyticsWorkspace,
    LogAnalyticsWorkspaceProps,
)
from constructs_lib.security.managed_identity import (
    FederatedCredentialSpec,
    ManagedIdentity,
    ManagedIdentityProps,
)
from constructs_lib.network.private_dns_zone import PrivateDnsZone, PrivateDnsZoneProps
from constructs_lib.security.role_assignments import (
    RoleAssignments,
    RoleAssignmentSpec,
    RoleAssignmentsProps,
)
from constructs_lib.stacks.spoke_lookup import SpokeLookup, SpokeLookupProps
from constructs_lib.stacks.regional_stack import RegionalStack
from constructs_lib.ingress.waf_policy import WafPolicy, WafPolicyProps

# Names the in-cluster side relies on (the workload stack and the Flux manifests use them too).
INGRESS_SERVICE_ACCOUNT = "traefik-ingress-controller"
LISTENER_CERTIFICATE = "appgw-listener-tls"
INGRESS_CERTIFICATE = "traefik-ingress-internal-aks-ingress-tls"


def ingress_host(env: Environment) -> str:
    """FQDN the App Gateway re-encrypts to; the private zone resolves it to the ingress ILB."""
    return f"{env.app.internal_host_label}.{env.ingress.internal_zone}"


def registry_login_server(registry_name: str) -> str:
    return f"{registry_name}.azurecr.io"


class ClusterStack(RegionalStack):
    """Registry, Key Vault (+certificates), private DNS, App Gateway + WAF, AKS, identities and
    least-privilege role assignments, Azure Policy, monitoring with alerts, and a budget."""

    kind = "cluster"

    def __init__(self, scope: Construct, environment: Environment, region: Region, spoke: TerraformStack):
        super().__init__(scope, environment, region)
        self.add_dependency(spoke)
        env, names, location = environment, self.names.cluster, region.name
        tenant_id = str(env.entra.tenant_id)
        group = self.resource_group(names.resource_group)
        rg = group.name
        client = DataAzurermClientConfig(self, "Deployer")

        network = SpokeLookup(self, "Spoke", SpokeLookupProps(
            resource_group_name=self.names.spoke.resource_group,
            virtual_network_name=self.names.spoke.virtual_network,
            app_gateway_public_ip_name=self.names.spoke.app_gateway_public_ip,
            hub_resource_group_name=self.names.hub.resource_group,
            hub_virtual_network_name=self.names.hub.virtual_network,
        ))
        if env.monitoring.workspace == "workload":
            workspace = LogAnalyticsWorkspace(self, "LogAnalytics", LogAnalyticsWorkspaceProps(
                name=names.log_analytics, location=location, resource_group_name=rg,
                retention_in_days=env.monitoring.retention_days)).id
        else:
            workspace = HubLookup(self, "Hub", HubLookupProps(
                resource_group_name=self.names.hub.resource_group,
                virtual_network_name=self.names.hub.virtual_network,
                firewall_name=self.names.hub.firewall,
                log_analytics_workspace_name=self.names.hub.log_analytics,
            )).log_analytics_workspace.id

        # Private DNS: every zone is linked to the spoke and the hub, so Bastion-side tooling and a
        # runner in the hub resolve the private endpoints too.
        links = {"spoke": network.virtual_network.id, "hub": network.hub_virtual_network.id}
        registry_zone = PrivateDnsZone(self, "RegistryZone", PrivateDnsZoneProps(
            name="privatelink.azurecr.io", resource_group_name=rg, virtual_network_links=links))
        vault_zone = PrivateDnsZone(self, "KeyVaultZone", PrivateDnsZoneProps(
            name="privatelink.vaultcore.azure.net", resource_group_name=rg, virtual_network_links=links))
        api_zone = PrivateDnsZone(self, "ApiServerZone", PrivateDnsZoneProps(
            name=f"privatelink.{location}.azmk8s.io", resource_group_name=rg,
            virtual_network_links=links)) if env.cluster.private else None
        PrivateDnsZone(self, "IngressZone", PrivateDnsZoneProps(
            name=env.ingress.internal_zone, resource_group_name=rg, virtual_network_links=links,
            a_records={env.app.internal_host_label: [str(region.spoke.ingress_load_balancer_ip)]}))

        endpoints_subnet = network.subnet_id("private_endpoints")
        self.registry = ContainerRegistry(self, "Registry", ContainerRegistryProps(
            name=names.container_registry, location=location, resource_group_name=rg,
            private_endpoint_name=names.registry_private_endpoint,
            private_endpoint_subnet_id=endpoints_subnet, private_dns_zone_id=registry_zone.id,
            log_analytics_workspace_id=workspace,
            replica_locations=tuple(env.replica_regions(location)),
        ))
        issuer = env.ingress.certificate_issuer
        self.key_vault = KeyVault(self, "KeyVault", KeyVaultProps(
            name=names.key_vault, location=location, resource_group_name=rg, tenant_id=tenant_id,
            private_endpoint_name=names.key_vault_private_endpoint,
            private_endpoint_subnet_id=endpoints_subnet, private_dns_zone_id=vault_zone.id,
            log_analytics_workspace_id=workspace,
            purge_protection_enabled=env.key_vault.purge_protection,
            soft_delete_retention_days=env.key_vault.soft_delete_retention_days,
            certificates=(
                KeyVaultCertificateSpec(key="listener", name=LISTENER_CERTIFICATE,
                                        common_name=env.ingress.public_fqdn, issuer=issuer),
                KeyVaultCertificateSpec(key="ingress", name=INGRESS_CERTIFICATE,
                                        common_name=f"*.{env.ingress.internal_zone}",
                                        subject_alternative_names=(ingress_host(env),), issuer=issuer),
            ),
            # The identity running Terraform issues the certificates through the private endpoint.
            certificate_officer_principal_ids={"deployer": client.object_id},
            certificate_dependencies=tuple(vault_zone.links.values()),
        ))
        vault_id, certificates = self.key_vault.id, self.key_vault.certificates

        identity = {"location": location, "resource_group_name": rg}
        control_plane = ManagedIdentity(self, "ControlPlaneIdentity", ManagedIdentityProps(
            name=names.control_plane_identity, **identity))
        gateway_identity = ManagedIdentity(self, "AppGatewayIdentity", ManagedIdentityProps(
            name=names.app_gateway_identity, **identity))

        cp = control_plane.principal_id
        pre_cluster = [
            RoleAssignmentSpec("cp-nodes-network", "Network Contributor", cp, network.subnet_id("nodes")),
            RoleAssignmentSpec("cp-ingress-network", "Network Contributor", cp, network.subnet_id("ingress")),
            RoleAssignmentSpec("cp-apiserver-network", "Network Contributor", cp, network.subnet_id("api_server")),
        ]
        if api_zone is not None:
            # AKS manages the API server's records in the zone and its link to the spoke VNet.
            pre_cluster += [
                RoleAssignmentSpec("cp-apiserver-dns", "Private DNS Zone Contributor", cp, api_zone.id),
                RoleAssignmentSpec("cp-spoke-vnet-dns", "Private DNS Zone Contributor", cp,
                                   network.virtual_network.id),
            ]
        control_plane_roles = RoleAssignments(self, "ControlPlaneRoles", RoleAssignmentsProps(
            assignments=tuple(pre_cluster)))
        gateway_roles = RoleAssignments(self, "AppGatewayRoles", RoleAssignmentsProps(assignments=(
            RoleAssignmentSpec("agw-kv-secrets", "Key Vault Secrets User", gateway_identity.principal_id, vault_id),
            RoleAssignmentSpec("agw-kv-reader", "Key Vault Reader", gateway_identity.principal_id, vault_id),
        )))

        waf = WafPolicy(self, "WafPolicy", WafPolicyProps(
            name=names.waf_policy, location=location, resource_group_name=rg))
        self.app_gateway = ApplicationGateway(self, "AppGateway", ApplicationGatewayProps(
            name=names.application_gateway, location=location, resource_group_name=rg,
            subnet_id=network.subnet_id("app_gateway"),
            public_ip_address_id=network.app_gateway_public_ip.id,
            identity_id=gateway_identity.id,
            listener_host_name=env.ingress.public_fqdn,
            listener_certificate_secret_id=certificates["listener"].versionless_secret_id,
            backend_fqdn=ingress_host(env),
            # A self-signed ingress certificate is its own root; a CA-issued one chains to a
            # well-known root the gateway already trusts.
            backend_trusted_root_certificate_data=(
                certificates["ingress"].certificate_data_base64 if issuer == "Self" else None),
            waf_policy_id=waf.id,
            log_analytics_workspace_id=workspace,
            zones=region.zones,
            min_capacity=env.app_gateway.min_capacity,
            max_capacity=env.app_gateway.max_capacity,
            depends_on=(self.key_vault.private_endpoint.resource, *gateway_roles.resources),
        ))

        cluster_settings = env.cluster
        network_settings = cluster_settings.network
        window = MaintenanceWindow(day_of_week=cluster_settings.maintenance.day,
                                   start_time=cluster_settings.maintenance.start,
                                   duration_hours=cluster_settings.maintenance.duration_hours)
        self.cluster = KubernetesCluster(self, "Cluster", KubernetesClusterProps(
            name=names.cluster, location=location, resource_group_name=rg,
            dns_prefix=names.dns_prefix, node_resource_group=names.node_resource_group,
            kubernetes_version=cluster_settings.kubernetes_version,
            control_plane_identity_id=control_plane.id,
            tenant_id=tenant_id,
            admin_group_object_ids=tuple(str(g) for g in env.entra.cluster_admin_group_object_ids),
            node_subnet_id=network.subnet_id("nodes"),
            api_server_subnet_id=network.subnet_id("api_server"),
            private_dns_zone_id=api_zone.id if api_zone is not None else None,
            log_analytics_workspace_id=workspace,
            system_pool=cluster_settings.system_pool,
            user_pool=cluster_settings.user_pool,
            network_plugin_mode=network_settings.plugin_mode,
            pod_cidr=str(network_settings.overlay_pod_cidr) if network_settings.overlay_pod_cidr else None,
            service_cidr=str(network_settings.service_cidr),
            dns_service_ip=str(network_settings.dns_service_ip),
            zones=region.zones,
            sku_tier=cluster_settings.sku_tier,
            private_cluster=cluster_settings.private,
            authorized_ip_ranges=tuple(str(r) for r in cluster_settings.authorized_ip_ranges),
            node_os_maintenance_window=window,
            auto_upgrade_maintenance_window=window,
            depends_on=tuple(control_plane_roles.resources),
        ))
        cluster = self.cluster

        ingress_identity = ManagedIdentity(self, "IngressIdentity", ManagedIdentityProps(
            name=names.ingress_identity, **identity,
            federated_credentials=(FederatedCredentialSpec(
                name="ingress-controller", issuer=cluster.oidc_issuer_url,
                namespace=env.app.namespace, service_account=INGRESS_SERVICE_ACCOUNT),),
        ))
        kubelet = cluster.kubelet_object_id
        post_cluster = [
            RoleAssignmentSpec("kubelet-acr-pull", "AcrPull", kubelet, self.registry.id),
            RoleAssignmentSpec("kubelet-vmss", "Virtual Machine Contributor", kubelet, cluster.node_resource_group_id),
            RoleAssignmentSpec("ingress-kv-secrets", "Key Vault Secrets User", ingress_identity.principal_id, vault_id),
            RoleAssignmentSpec("ingress-kv-reader", "Key Vault Reader", ingress_identity.principal_id, vault_id),
            RoleAssignmentSpec("omsagent-metrics", "Monitoring Metrics Publisher",
                               cluster.resource.oms_agent.oms_agent_identity.get(0).object_id, cluster.id),
        ]
        for index, group_id in enumerate(env.entra.cluster_admin_group_object_ids):
            post_cluster += [
                RoleAssignmentSpec(f"admins{index}-cluster-admin", "Azure Kubernetes Service RBAC Cluster Admin",
                                   str(group_id), cluster.id, principal_type="Group"),
                RoleAssignmentSpec(f"admins{index}-cluster-user", "Azure Kubernetes Service Cluster User Role",
                                   str(group_id), cluster.id, principal_type="Group"),
            ]
        for index, group_id in enumerate(env.entra.namespace_reader_group_object_ids):
            post_cluster += [
                RoleAssignmentSpec(f"readers{index}-namespace-reader", "Azure Kubernetes Service RBAC Reader",
                                   str(group_id), f"{cluster.id}/namespaces/{env.app.namespace}",
                                   principal_type="Group"),
                RoleAssignmentSpec(f"readers{index}-cluster-user", "Azure Kubernetes Service Cluster User Role",
                                   str(group_id), cluster.id, principal_type="Group"),
            ]
        RoleAssignments(self, "ClusterRoles", RoleAssignmentsProps(assignments=tuple(post_cluster)))

        ClusterPolicies(self, "Policies", ClusterPoliciesProps(
            resource_group_id=group.id, cluster_name=names.cluster,
            registry_login_server=registry_login_server(names.container_registry),
            workload_namespaces=(env.app.namespace,), ingress_domain_suffix=env.ingress.domain,
            ingress_tls_definition_name=names.ingress_tls_policy_definition,
        ))

        action_group = ActionGroup(self, "ActionGroup", ActionGroupProps(
            name=names.action_group, resource_group_name=rg,
            short_name=f"aks{env.name}"[:12],
            email_receivers=tuple((f"email{i}", address) for i, address in enumerate(env.monitoring.alert_emails)),
        ))
        monitoring = ClusterMonitoring(self, "Monitoring", ClusterMonitoringProps(
            cluster_id=cluster.id, cluster_name=names.cluster, location=location, resource_group_name=rg,
            log_analytics_workspace_id=workspace, monitor_workspace_name=names.monitor_workspace,
            dce_name=names.prometheus_endpoint, prometheus_dcr_name=names.prometheus_rule,
            container_insights_dcr_name=names.container_insights_rule,
            container_log_total_retention_days=env.monitoring.retention_days,
        ))
        ClusterAlerts(self, "Alerts", ClusterAlertsProps(
            cluster_id=cluster.id, cluster_name=names.cluster,
            monitor_workspace_id=monitoring.monitor_workspace_id, log_analytics_workspace_id=workspace,
            resource_group_id=group.id, resource_group_name=rg, location=location,
            action_group_id=action_group.id,
        ))
        Budget(self, "Budget", BudgetProps(
            name=names.budget, resource_group_id=group.id, amount=float(env.budget.monthly_amount),
            time_period_start=f"{env.budget.start_date}T00:00:00Z", action_group_id=action_group.id,
            contact_emails=tuple(env.monitoring.alert_emails),
            actual_thresholds=tuple(float(t) for t in env.budget.thresholds),
            forecasted_thresholds=(float(env.budget.forecast_threshold),) if env.budget.forecast_threshold else (),
        ))
