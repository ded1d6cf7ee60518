"""Cluster stack: the workload team's AKS cluster and everything it needs in one region."""

from __future__ import annotations

from cdktf import TerraformOutput
from cdktf_cdktf_provider_azurerm.data_azurerm_client_config import (
    DataAzurermClientConfig,
)
from cdktf_cdktf_provider_time.provider import TimeProvider
from constructs import Construct

from constructs_lib.cluster.kubernetes_cluster import (
    KubernetesCluster,
    KubernetesClusterProps,
)
from constructs_lib.cluster.policies import ClusterPolicies, ClusterPoliciesProps
from constructs_lib.cluster.private_dns import ClusterPrivateDnsZones, ClusterPrivateDnsZonesProps
from constructs_lib.cluster.rbac import (
    ClusterPrincipals,
    ControlPlaneScopes,
    app_gateway_role_assignments,
    cluster_role_assignments,
    control_plane_role_assignments,
)
from constructs_lib.cluster.stop_schedule import ClusterStopSchedule, ClusterStopScheduleProps
from constructs_lib.config.models import Environment, Region
from constructs_lib.config.resource_names import (
    INGRESS_CERTIFICATE,
    LISTENER_CERTIFICATE,
    EnvironmentNames,
    ingress_host,
    registry_login_server,
)
from constructs_lib.config.roles import start_stop_role_definition_id, start_stop_role_name
from constructs_lib.config.stack_plan import bootstrap_stack
from constructs_lib.core.azapi import AzapiProvider
from constructs_lib.ingress.application_gateway import (
    ApplicationGateway,
    ApplicationGatewayProps,
)
from constructs_lib.ingress.waf_policy import WafPolicy, WafPolicyProps
from constructs_lib.network.private_endpoint import PrivateEndpoint, PrivateEndpointProps
from constructs_lib.observability.action_group import ActionGroup, ActionGroupProps
from constructs_lib.observability.budget import Budget, BudgetProps
from constructs_lib.observability.cluster_alerts import ClusterAlerts, ClusterAlertsProps
from constructs_lib.observability.cluster_monitoring import ClusterMonitoring, ClusterMonitoringProps
from constructs_lib.observability.log_analytics import (
    LogAnalyticsWorkspace,
    LogAnalyticsWorkspaceProps,
)
from constructs_lib.security.key_vault import KeyVault, KeyVaultCertificateSpec, KeyVaultProps
from constructs_lib.security.managed_identity import (
    FederatedCredentialSpec,
    ManagedIdentity,
    ManagedIdentityProps,
)
from constructs_lib.security.role_assignments import RoleAssignments, RoleAssignmentsProps
from constructs_lib.security.role_propagation import RolePropagationWait, RolePropagationWaitProps
from constructs_lib.stacks.contracts import INGRESS_SERVICE_ACCOUNT
from constructs_lib.stacks.lookups import (
    HubLookup,
    HubLookupProps,
    SharedLookup,
    SharedLookupProps,
    SpokeLookup,
    SpokeLookupProps,
    environment_subscription_scope,
)
from constructs_lib.stacks.regional_stack import RegionalStack


class ClusterStack(RegionalStack):
    """A private endpoint to the environment's shared registry, Key Vault (+certificates), private
    DNS, App Gateway + WAF, AKS, identities and least-privilege role assignments, Azure Policy,
    monitoring with alerts, and a budget."""

    kind = "cluster"

    def __init__(self, scope: Construct, environment: Environment, region: Region):
        super().__init__(scope, environment, region)
        names = self.names.cluster
        self.shared_names = shared_names = EnvironmentNames.of(environment)
        self.shared = SharedLookup(self, "Shared", SharedLookupProps(
            resource_group_name=shared_names.resource_group, registry_name=shared_names.container_registry,
            front_door_profile_name=shared_names.front_door_profile if environment.front_door_enabled else None))
        settings = environment.cluster
        # time_sleep for the role propagation waits, time_static keeping the patch channel's minor version.
        if environment.deploy.role_propagation_seconds or settings.upgrade_channel == "patch":
            TimeProvider(self, "time")
        if settings.upgrade_channel == "patch":
            AzapiProvider(self)
        self.group = self.resource_group(names.resource_group)
        self.deployer = DataAzurermClientConfig(self, "Deployer")
        self.spoke = SpokeLookup(self, "Spoke", SpokeLookupProps(
            resource_group_name=self.names.spoke.resource_group,
            virtual_network_name=self.names.spoke.virtual_network,
            app_gateway_public_ip_name=self.names.spoke.app_gateway_public_ip,
            hub_resource_group_name=self.names.hub.resource_group,
            hub_virtual_network_name=self.names.hub.virtual_network,
        ))
        self.workspace_id = self._workspace()
        self.defender_workspace_id = self._defender_workspace()
        self.zones = ClusterPrivateDnsZones(self, ClusterPrivateDnsZonesProps(
            location=region.name, resource_group_name=self.group.name,
            virtual_network_links={"spoke": self.spoke.virtual_network.id,
                                   "hub": self.spoke.hub_virtual_network.id},
            private_cluster=environment.cluster.private, ingress_zone=environment.ingress.internal_zone,
            ingress_records={environment.app.internal_host_label: str(region.spoke.ingress_load_balancer_ip)}))
        self._registry_and_vault()
        self._ingress_and_cluster()
        self._governance_and_operations()
        self._stop_schedule()
        self._outputs()

    def _outputs(self) -> None:
        """What the next steps and people need; nothing sensitive (no kubeconfig, no keys)."""
        env, names = self.environment, self.names.cluster
        outputs = {
            "resource_group_name": (self.group.name, "Resource group of the cluster, registry, vault and gateway."),
            "cluster_name": (self.cluster.name, "AKS cluster (az aks get-credentials --name)."),
            "cluster_id": (self.cluster.id, "Resource ID of the AKS cluster (scope of the AKS RBAC roles)."),
            "key_vault_name": (names.key_vault, "Key Vault holding the listener and ingress certificates."),
            "key_vault_uri": (self.key_vault.vault_uri, "Key Vault URI (reachable through its private endpoint)."),
            "log_analytics_workspace_id": (self.workspace_id, "Workspace receiving the cluster's logs."),
            "app_gateway_public_ip_address": (self.spoke.app_gateway_public_ip.ip_address,
                                              "Public IP of the App Gateway (DNS A record of the public host)."),
            "app_gateway_fqdn": (env.ingress.public_fqdn, "Public host name the Application Gateway listens on."),
            "ingress_identity_client_id": (self.ingress_identity.client_id,
                                           "Client ID of the ingress controller's workload identity."),
        }
        for key, (value, description) in outputs.items():
            TerraformOutput(self, key, value=value, description=description)

    def _workspace(self) -> str:
        """The cluster's Log Analytics workspace: its own (reference) or the regional hub's."""
        env, names = self.environment, self.names
        if env.monitoring.workspace == "workload":
            return LogAnalyticsWorkspace(self, "LogAnalytics", LogAnalyticsWorkspaceProps(
                name=names.cluster.log_analytics, location=self.region.name,
                resource_group_name=self.group.name, retention_in_days=env.monitoring.retention_days)).id
        return HubLookup(self, "Hub", HubLookupProps(
            resource_group_name=names.hub.resource_group,
            virtual_network_name=names.hub.virtual_network,
            firewall_name=names.hub.firewall,
            log_analytics_workspace_name=names.hub.log_analytics,
        )).log_analytics_workspace.id

    def _defender_workspace(self) -> str | None:
        """Where the Defender sensor reports: a workspace of its own that accepts workspace-key auth
        (the sensor has no Entra ID auth yet: Azure/Microsoft-Defender-for-Cloud#1010), so the main
        workspace stays Entra-only. It keeps the minimum 30 days; Defender uses it as a pipeline
        and stores its findings in Defender for Cloud."""
        if not self.environment.cluster.add_ons.defender:
            return None
        return LogAnalyticsWorkspace(self, "DefenderLogAnalytics", LogAnalyticsWorkspaceProps(
            name=self.names.cluster.defender_log_analytics, location=self.region.name,
            resource_group_name=self.group.name, retention_in_days=30, local_authentication_enabled=True,
            diagnostics_workspace_id=self.workspace_id)).id

    def _registry_and_vault(self) -> None:
        """This region's private endpoint to the shared registry, and the key vault; the vault
        issues the listener and ingress certificates."""
        env, names, location, rg = self.environment, self.names.cluster, self.region.name, self.group.name
        endpoints_subnet = self.spoke.subnet_id("private_endpoints")
        # The zone group registers the login server and every replica's data endpoint in this
        # region's privatelink.azurecr.io zone.
        self.registry_endpoint = PrivateEndpoint(self, "RegistryPrivateEndpoint", PrivateEndpointProps(
            name=names.registry_private_endpoint, location=location, resource_group_name=rg,
            subnet_id=endpoints_subnet, target_resource_id=self.shared.registry.id, subresource="registry",
            private_dns_zone_ids=(self.zones.registry.id,)))
        issuer = env.ingress.certificate_issuer
        self.key_vault = KeyVault(self, "KeyVault", KeyVaultProps(
            name=names.key_vault, location=location, resource_group_name=rg, tenant_id=str(env.entra.tenant_id),
            private_endpoint_name=names.key_vault_private_endpoint,
            private_endpoint_subnet_id=endpoints_subnet, private_dns_zone_id=self.zones.key_vault.id,
            log_analytics_workspace_id=self.workspace_id,
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
            certificate_officer_principal_ids={"deployer": self.deployer.object_id},
            role_propagation_seconds=env.deploy.role_propagation_seconds,
            certificate_dependencies=tuple(self.zones.key_vault.links.values()),
        ))

    def _ingress_and_cluster(self) -> None:
        """Identities and their grants, the WAF-fronted App Gateway, and the AKS cluster."""
        env, names, region, rg = self.environment, self.names.cluster, self.region, self.group.name
        network, vault_id = self.spoke, self.key_vault.id
        api_zone = self.zones.api_server
        identity = {"location": region.name, "resource_group_name": rg}
        control_plane = ManagedIdentity(self, "ControlPlaneIdentity", ManagedIdentityProps(
            name=names.control_plane_identity, **identity))
        gateway_identity = ManagedIdentity(self, "AppGatewayIdentity", ManagedIdentityProps(
            name=names.app_gateway_identity, **identity))
        control_plane_roles = RoleAssignments(self, "ControlPlaneRoles", RoleAssignmentsProps(
            role_assignments=control_plane_role_assignments(ControlPlaneScopes(
                principal_id=control_plane.principal_id,
                node_subnet_id=network.subnet_id("nodes"),
                ingress_subnet_id=network.subnet_id("ingress"),
                api_server_subnet_id=(network.subnet_id("api_server")
                                      if env.cluster.api_server_vnet_integration else None),
                spoke_virtual_network_id=network.virtual_network.id,
                api_server_zone_id=api_zone.id if api_zone is not None else None))))
        gateway_roles = RoleAssignments(self, "AppGatewayRoles", RoleAssignmentsProps(
            role_assignments=app_gateway_role_assignments(gateway_identity.principal_id, vault_id)))
        propagation = env.deploy.role_propagation_seconds
        control_plane_ready = RolePropagationWait(self, "ControlPlaneRolePropagation", RolePropagationWaitProps(
            assignments=control_plane_roles.assignments, seconds=propagation))
        gateway_ready = RolePropagationWait(self, "AppGatewayRolePropagation", RolePropagationWaitProps(
            assignments=gateway_roles.assignments, seconds=propagation))

        certificates = self.key_vault.certificates
        waf = WafPolicy(self, "WafPolicy", WafPolicyProps(
            name=names.waf_policy, location=region.name, resource_group_name=rg,
            front_door_id=self.shared.front_door_id))
        self.app_gateway = ApplicationGateway(self, "AppGateway", ApplicationGatewayProps(
            name=names.application_gateway, location=region.name, resource_group_name=rg,
            subnet_id=network.subnet_id("app_gateway"),
            public_ip_address_id=network.app_gateway_public_ip.id,
            identity_id=gateway_identity.id,
            listener_host_name=env.ingress.public_fqdn,
            listener_certificate_secret_id=certificates["listener"].versionless_secret_id,
            backend_fqdn=ingress_host(env),
            # A self-signed ingress certificate is its own root, read from Key Vault (versionless, so a
            # renewal reaches the gateway); a CA-issued one chains to a root the gateway trusts.
            backend_trusted_root_secret_id=(
                certificates["ingress"].versionless_secret_id
                if env.ingress.certificate_issuer == "Self" else None),
            waf_policy_id=waf.id,
            log_analytics_workspace_id=self.workspace_id,
            zones=region.zones,
            min_capacity=env.app_gateway.min_capacity,
            max_capacity=env.app_gateway.max_capacity,
            depends_on=(self.key_vault.private_endpoint.resource, *gateway_ready.dependables),
        ))

        settings = env.cluster
        self.cluster = cluster = KubernetesCluster(self, "Cluster", KubernetesClusterProps(
            name=names.cluster, location=region.name, resource_group_name=rg,
            dns_prefix=names.dns_prefix, node_resource_group=names.node_resource_group,
            kubernetes_version=settings.kubernetes_version,
            automatic_upgrade_channel="patch" if settings.upgrade_channel == "patch" else None,
            control_plane_identity_id=control_plane.id,
            tenant_id=str(env.entra.tenant_id),
            admin_group_object_ids=tuple(str(g) for g in env.entra.cluster_admin_group_object_ids),
            node_subnet_id=network.subnet_id("nodes"),
            api_server_subnet_id=network.subnet_id("api_server"),
            private_dns_zone_id=api_zone.id if api_zone is not None else None,
            log_analytics_workspace_id=self.workspace_id,
            defender_log_analytics_workspace_id=self.defender_workspace_id,
            api_server_vnet_integration=settings.api_server_vnet_integration,
            container_insights=settings.add_ons.container_insights,
            managed_prometheus=settings.add_ons.managed_prometheus,
            image_cleaner_enabled=settings.add_ons.image_cleaner,
            system_pool=settings.system_pool,
            user_pool=settings.user_pool,
            spot_pool=settings.spot_pool,
            network=settings.network,
            zones=region.zones,
            sku_tier=settings.sku_tier,
            private_cluster=settings.private,
            authorized_ip_ranges=tuple(str(r) for r in settings.authorized_ip_ranges),
            node_os_maintenance_window=settings.maintenance,
            auto_upgrade_maintenance_window=settings.maintenance,
            depends_on=tuple(control_plane_ready.dependables),
        ))
        self.ingress_identity = ingress_identity = ManagedIdentity(self, "IngressIdentity", ManagedIdentityProps(
            name=names.ingress_identity, **identity,
            federated_credentials=(FederatedCredentialSpec(
                name="ingress-controller", issuer=cluster.oidc_issuer_url,
                namespace=env.app.namespace, service_account=INGRESS_SERVICE_ACCOUNT),),
        ))
        cluster_roles = RoleAssignments(self, "ClusterRoles", RoleAssignmentsProps(
            role_assignments=cluster_role_assignments(ClusterPrincipals(
                cluster_id=cluster.id,
                kubelet_object_id=cluster.kubelet_object_id,
                node_resource_group_id=cluster.node_resource_group_id,
                registry_id=self.shared.registry.id,
                key_vault_id=vault_id,
                ingress_principal_id=ingress_identity.principal_id,
                monitoring_agent_object_id=cluster.monitoring_agent_object_id,
                workload_namespace=env.app.namespace,
                admin_group_object_ids=env.entra.cluster_admin_group_object_ids,
                reader_group_object_ids=env.entra.namespace_reader_group_object_ids))))
        # Nothing in this stack uses these grants; the wait makes the apply return only once the
        # workload stack's pulls, Key Vault mounts and kubelogin sign-ins will be authorized.
        RolePropagationWait(self, "ClusterRolePropagation", RolePropagationWaitProps(
            assignments={**cluster_roles.assignments, **{
                f"federated-{name}": credential
                for name, credential in ingress_identity.federated_credentials.items()}},
            seconds=env.deploy.role_propagation_seconds))

    def _governance_and_operations(self) -> None:
        """Azure Policy, the action group every alert and budget notification reaches, data
        collection, alerts and the budget."""
        env, names, location, rg = self.environment, self.names.cluster, self.region.name, self.group.name
        cluster, group = self.cluster, self.group
        ClusterPolicies(self, "Policies", ClusterPoliciesProps(
            resource_group_id=group.id, cluster_name=names.cluster,
            registry_login_server=registry_login_server(self.shared_names.container_registry),
            workload_namespaces=(env.app.namespace,), ingress_domain_suffix=env.ingress.domain,
            ingress_tls_definition_name=names.ingress_tls_policy_definition,
        ))
        action_group = ActionGroup(self, "ActionGroup", ActionGroupProps(
            name=names.action_group, resource_group_name=rg,
            short_name=f"aks{env.name}"[:12],
            email_receivers=tuple((f"email{i}", address) for i, address in enumerate(env.monitoring.alert_emails)),
        ))
        add_ons = env.cluster.add_ons
        monitoring = ClusterMonitoring(self, "Monitoring", ClusterMonitoringProps(
            cluster_id=cluster.id, cluster_name=names.cluster, location=location, resource_group_name=rg,
            log_analytics_workspace_id=self.workspace_id, monitor_workspace_name=names.monitor_workspace,
            dce_name=names.prometheus_endpoint, prometheus_dcr_name=names.prometheus_rule,
            container_insights_dcr_name=names.container_insights_rule,
            container_log_total_retention_days=env.monitoring.retention_days,
            container_insights=add_ons.container_insights, managed_prometheus=add_ons.managed_prometheus,
        )) if add_ons.container_insights or add_ons.managed_prometheus else None
        ClusterAlerts(self, "Alerts", ClusterAlertsProps(
            cluster_id=cluster.id, cluster_name=names.cluster,
            monitor_workspace_id=monitoring.monitor_workspace_id if monitoring else None,
            log_analytics_workspace_id=self.workspace_id,
            resource_group_id=group.id, resource_group_name=rg, location=location,
            action_group_id=action_group.id, container_insights=add_ons.container_insights,
        ))
        Budget(self, "Budget", BudgetProps(
            name=names.budget, resource_group_id=group.id, amount=float(env.budget.monthly_amount),
            time_period_start=f"{env.budget.start_date}T00:00:00Z", action_group_id=action_group.id,
            contact_emails=tuple(env.monitoring.alert_emails),
            actual_thresholds=tuple(float(t) for t in env.budget.thresholds),
            forecasted_thresholds=tuple(float(t) for t in env.budget.forecast_thresholds),
        ))

    def _stop_schedule(self) -> None:
        """Stop when idle (non-production, `cluster.stop_schedule`): Logic Apps that stop and start
        this cluster, signed in as an identity that may do only that, on this cluster only."""
        env, names = self.environment, self.names.cluster
        schedule = env.cluster.stop_schedule
        if schedule is None:
            return
        subscription = str(env.subscription_id) if env.subscription_id else None
        # With a bootstrap stack the role is defined there (the deploy identity may assign roles the
        # ABAC condition names, but not write role definitions); a sandbox defines it here.
        defined_in = None
        if bootstrap_stack(env) is not None:
            defined_in = environment_subscription_scope(self, subscription)
        ClusterStopSchedule(self, "StopSchedule", ClusterStopScheduleProps(
            cluster_id=self.cluster.id, resource_group_id=self.group.id, resource_group_name=self.group.name,
            location=self.region.name, identity_name=names.start_stop_identity,
            stop_workflow_name=names.stop_workflow, start_workflow_name=names.start_workflow,
            role_definition_id=start_stop_role_definition_id(names.cluster, subscription),
            role_name=start_stop_role_name(names.cluster),
            log_analytics_workspace_id=self.workspace_id, schedule=schedule,
            defined_in_subscription=defined_in,
        ))
