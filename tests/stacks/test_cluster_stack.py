"""Cluster stack: how the constructs are wired together per environment and region."""

from __future__ import annotations

import json

import pytest

from constructs_lib.config.resource_names import (
    SPOKE_SUBNET_NAMES,
    EnvironmentNames,
    RegionNames,
    ingress_host,
)
from constructs_lib.config.roles import start_stop_role_definition_id
from constructs_lib.config.stack_plan import bootstrap_stack
from constructs_lib.stacks.contracts import INGRESS_SERVICE_ACCOUNT
from tests.envfiles import planned_stacks


@pytest.fixture(scope="module", params=planned_stacks("cluster"))
def cluster_stack(request, synthesized):
    return synthesized.stack(request.param)


def shared_registry(cluster_stack, env) -> str:
    """`${data.azurerm_container_registry.<id>.id}` of the environment's shared registry, looked up
    by name in the global resource group."""
    names = EnvironmentNames.of(env)
    lookup = cluster_stack.named_data("azurerm_container_registry", names.container_registry)
    assert lookup["resource_group_name"] == names.resource_group
    return cluster_stack.data_ref("azurerm_container_registry", names.container_registry)


def test_the_region_reaches_the_shared_registry_through_its_own_private_endpoint(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    assert not cluster_stack.resources("azurerm_container_registry"), "the registry is the environment's"
    endpoint = next(p for p in cluster_stack.resources("azurerm_private_endpoint").values()
                    if p["private_service_connection"]["subresource_names"] == ["registry"])
    assert endpoint["name"] == RegionNames.of(env, region).cluster.registry_private_endpoint
    assert endpoint["location"] == region.name
    assert endpoint["private_service_connection"]["private_connection_resource_id"] == shared_registry(
        cluster_stack, env)
    assert endpoint["subnet_id"] == cluster_stack.data_ref("azurerm_subnet", "snet-privatelinkendpoints")
    assert endpoint["private_dns_zone_group"]["private_dns_zone_ids"] == [
        cluster_stack.ref("azurerm_private_dns_zone", name="privatelink.azurecr.io")]


def test_private_zones_linked_to_spoke_and_hub(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    names = RegionNames.of(env, region)
    vnets = {cluster_stack.data_ref("azurerm_virtual_network", names.spoke.virtual_network),
             cluster_stack.data_ref("azurerm_virtual_network", names.hub.virtual_network)}
    by_zone: dict[str, set[str]] = {}
    for link in cluster_stack.resources("azurerm_private_dns_zone_virtual_network_link").values():
        by_zone.setdefault(link["private_dns_zone_name"], set()).add(link["virtual_network_id"])
    assert list(by_zone.values()) == [vnets] * len(cluster_stack.resources("azurerm_private_dns_zone"))
    zones = {z["name"] for z in cluster_stack.resources("azurerm_private_dns_zone").values()}
    api_server = {f"privatelink.{region.name}.azmk8s.io"} if env.cluster.private else set()
    assert zones == {"privatelink.azurecr.io", "privatelink.vaultcore.azure.net", env.ingress.internal_zone,
                     *api_server}


def test_ingress_host_resolves_to_the_internal_load_balancer(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    record = cluster_stack.only("azurerm_private_dns_a_record")
    assert record["name"] == env.app.internal_host_label
    assert record["zone_name"] == cluster_stack.ref("azurerm_private_dns_zone", "name", env.ingress.internal_zone)
    assert record["records"] == [str(region.spoke.ingress_load_balancer_ip)]


def test_key_vault_protection_follows_the_environment(cluster_stack, environments):
    env, _ = cluster_stack.environment(environments)
    vault = cluster_stack.only("azurerm_key_vault")
    assert vault["purge_protection_enabled"] is env.key_vault.purge_protection
    assert vault["soft_delete_retention_days"] == env.key_vault.soft_delete_retention_days
    assert vault["tenant_id"] == str(env.entra.tenant_id)
    certificates = {c["name"]: c for c in cluster_stack.resources("azurerm_key_vault_certificate").values()}
    assert set(certificates) == {"appgw-listener-tls", "traefik-ingress-internal-aks-ingress-tls"}
    listener = certificates["appgw-listener-tls"]["certificate_policy"]
    assert listener["x509_certificate_properties"]["subject"] == f"CN={env.ingress.public_fqdn}"
    assert listener["issuer_parameters"]["name"] == env.ingress.certificate_issuer
    ingress = certificates["traefik-ingress-internal-aks-ingress-tls"]["certificate_policy"]
    assert ingress["x509_certificate_properties"]["subject_alternative_names"]["dns_names"] == [
        f"*.{env.ingress.internal_zone}", ingress_host(env)]


def test_app_gateway_terminates_with_key_vault_certificate_and_reencrypts(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    gateway = cluster_stack.only("azurerm_application_gateway")
    assert gateway["zones"] == list(region.zones)
    assert gateway["autoscale_configuration"] == {"min_capacity": env.app_gateway.min_capacity,
                                                  "max_capacity": env.app_gateway.max_capacity}
    assert gateway["firewall_policy_id"] == cluster_stack.ref("azurerm_web_application_firewall_policy")
    assert gateway["ssl_certificate"][0]["key_vault_secret_id"].startswith(
        "${azurerm_key_vault_certificate.KeyVault_Certificate-listener")
    assert gateway["http_listener"][0]["host_name"] == env.ingress.public_fqdn
    assert gateway["backend_address_pool"][0]["fqdns"] == [ingress_host(env)]
    assert gateway["gateway_ip_configuration"][0]["subnet_id"] == cluster_stack.data_ref("azurerm_subnet", "snet-applicationgateway")
    assert gateway["frontend_ip_configuration"][0]["public_ip_address_id"].startswith("${data.azurerm_public_ip.")
    identity = cluster_stack.ref("azurerm_user_assigned_identity",
                                 name=RegionNames.of(env, region).cluster.app_gateway_identity)
    assert gateway["identity"]["identity_ids"] == [identity]


def test_cluster_settings_come_from_the_environment(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    cluster = cluster_stack.only("azurerm_kubernetes_cluster")
    assert cluster["kubernetes_version"] == env.cluster.kubernetes_minor
    assert cluster["network_profile"]["network_data_plane"] == env.cluster.network.data_plane
    assert cluster["network_profile"]["network_policy"] == env.cluster.network.data_plane
    assert cluster["sku_tier"] == env.cluster.sku_tier
    assert cluster["private_cluster_enabled"] is env.cluster.private
    assert cluster["network_profile"]["service_cidr"] == str(env.cluster.network.service_cidr)
    assert cluster["api_server_access_profile"]["subnet_id"] == cluster_stack.data_ref("azurerm_subnet", "snet-privatecluster")
    assert cluster["default_node_pool"]["vnet_subnet_id"] == cluster_stack.data_ref("azurerm_subnet", "snet-clusternodes")
    assert cluster["default_node_pool"]["min_count"] == env.cluster.system_pool.min_count
    aad = cluster["azure_active_directory_role_based_access_control"]
    assert aad["azure_rbac_enabled"] is True and aad["tenant_id"] == str(env.entra.tenant_id)
    assert cluster["maintenance_window_node_os"]["day_of_week"] == env.cluster.maintenance.day
    pool = cluster_stack.named("azurerm_kubernetes_cluster_node_pool", env.cluster.user_pool.name)
    assert (pool["name"], pool["min_count"], pool["max_count"]) == (
        env.cluster.user_pool.name, env.cluster.user_pool.min_count, env.cluster.user_pool.max_count)
    if env.monitoring.workspace == "workload":
        assert cluster["oms_agent"]["log_analytics_workspace_id"] == cluster_stack.ref(
            "azurerm_log_analytics_workspace", name=RegionNames.of(env, region).cluster.log_analytics)
    # The cluster waits for the control plane's rights on the subnets and the private DNS zone.
    # The control plane's grants, propagated, come first (the next test follows the chain).
    assert all(d.startswith("time_sleep.") for d in cluster["depends_on"])


def _assignments(stack) -> list[tuple[str, str, str]]:
    """(built-in role name, or the custom role definition's reference; principal; scope)."""
    return [(a.get("role_definition_name") or a["role_definition_id"], a["principal_id"], a["scope"])
            for a in stack.resources("azurerm_role_assignment").values()]


def test_least_privilege_role_assignments(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    names = RegionNames.of(env, region)

    def identity(name: str) -> str:
        return cluster_stack.ref("azurerm_user_assigned_identity", "principal_id", name)

    def subnet(key: str) -> str:
        return cluster_stack.data_ref("azurerm_subnet", SPOKE_SUBNET_NAMES[key])

    cluster = cluster_stack.ref("azurerm_kubernetes_cluster")
    vault = cluster_stack.ref("azurerm_key_vault")
    kubelet = cluster_stack.ref("azurerm_kubernetes_cluster", "kubelet_identity[0].object_id")
    control_plane = identity(names.cluster.control_plane_identity)
    expected = {
        ("Network Contributor", control_plane, subnet("nodes")),
        ("Network Contributor", control_plane, subnet("ingress")),
        ("Network Contributor", control_plane, subnet("api_server")),
        ("Key Vault Secrets User", identity(names.cluster.app_gateway_identity), vault),
        ("Key Vault Reader", identity(names.cluster.app_gateway_identity), vault),
        ("Key Vault Secrets User", identity(names.cluster.ingress_identity), vault),
        ("Key Vault Reader", identity(names.cluster.ingress_identity), vault),
        ("AcrPull", kubelet, shared_registry(cluster_stack, env)),
        ("Virtual Machine Contributor", kubelet, cluster_stack.ref("azurerm_kubernetes_cluster", "node_resource_group_id")),
        ("Monitoring Metrics Publisher",
         cluster_stack.ref("azurerm_kubernetes_cluster", "oms_agent[0].oms_agent_identity[0].object_id"), cluster),
        ("Key Vault Certificates Officer", "${data.azurerm_client_config.Deployer.object_id}", vault),
    }
    if env.cluster.private:
        expected |= {
            ("Private DNS Zone Contributor", control_plane,
             cluster_stack.ref("azurerm_private_dns_zone", name=f"privatelink.{region.name}.azmk8s.io")),
            ("Private DNS Zone Contributor", control_plane,
             cluster_stack.data_ref("azurerm_virtual_network", names.spoke.virtual_network)),
        }
    for group in map(str, env.entra.cluster_admin_group_object_ids):
        expected |= {("Azure Kubernetes Service RBAC Cluster Admin", group, cluster),
                     ("Azure Kubernetes Service Cluster User Role", group, cluster)}
    for group in map(str, env.entra.namespace_reader_group_object_ids):
        expected |= {("Azure Kubernetes Service RBAC Reader", group, f"{cluster}/namespaces/{env.app.namespace}"),
                     ("Azure Kubernetes Service Cluster User Role", group, cluster)}
    if env.cluster.stop_schedule is not None:
        # The stop-when-idle identity: its custom role (read, start, stop), on this cluster only.
        guid = start_stop_role_definition_id(names.cluster.cluster, str(env.subscription_id) if env.subscription_id else None)
        if bootstrap_stack(env):  # defined by the bootstrap, in the subscription
            role_id = f"/subscriptions/{env.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
        else:
            role_ref = cluster_stack.ref("azurerm_role_definition", "role_definition_resource_id")[2:-1]
            role_id = f"${{dirname(dirname({role_ref}))}}/roleDefinitions/{guid}"
        expected.add((role_id, identity(names.cluster.start_stop_identity), cluster))
    assert sorted(_assignments(cluster_stack)) == sorted(expected)


def test_workload_identity_federated_to_traefiks_service_account(cluster_stack, environments):
    env, _ = cluster_stack.environment(environments)
    credential = cluster_stack.only("azurerm_federated_identity_credential")
    assert credential["subject"] == f"system:serviceaccount:{env.app.namespace}:{INGRESS_SERVICE_ACCOUNT}"
    assert credential["audience"] == ["api://AzureADTokenExchange"]
    assert credential["issuer"] == cluster_stack.ref("azurerm_kubernetes_cluster", "oidc_issuer_url")


def test_every_clusters_allowed_images_regex_names_the_shared_registry(cluster_stack, environments):
    env, _ = cluster_stack.environment(environments)
    registry = EnvironmentNames.of(env).container_registry
    assignments = cluster_stack.resources("azurerm_resource_group_policy_assignment").values()
    images = [a for a in assignments if a["policy_definition_id"].endswith("febd0533-8e55-448f-b837-bd0e06f16469")]
    assert len(images) == 1
    parameters = json.loads(images[0]["parameters"])
    assert parameters["effect"]["value"] == "Deny"
    assert parameters["allowedContainerImagesRegex"]["value"].startswith(f"^{registry}\\.azurecr\\.io/")
    initiative = [a for a in assignments if "policySetDefinitions/42b8ef37" in a["policy_definition_id"]]
    assert json.loads(initiative[0]["parameters"])["effect"]["value"] == "Audit"
    assert len(list(assignments)) == 21
    env, region = cluster_stack.environment(environments)
    definition = cluster_stack.only("azurerm_policy_definition")
    assert definition["name"] == RegionNames.of(env, region).cluster.ingress_tls_policy_definition


def test_every_alert_notifies_the_action_group(cluster_stack, environments):
    env, _ = cluster_stack.environment(environments)
    group = cluster_stack.ref("azurerm_monitor_action_group")
    emails = [r["email_address"] for r in cluster_stack.only("azurerm_monitor_action_group")["email_receiver"]]
    assert emails == list(env.monitoring.alert_emails)
    rule_groups = cluster_stack.resources("azurerm_monitor_alert_prometheus_rule_group").values()
    assert sum(len(g["rule"]) for g in rule_groups) == 30
    for g in rule_groups:
        for rule in g["rule"]:
            assert rule["action"][0]["action_group_id"] == group
    for alert in cluster_stack.resources("azurerm_monitor_scheduled_query_rules_alert_v2").values():
        assert alert["action"]["action_groups"] == [group]
    activity = cluster_stack.only("azurerm_monitor_activity_log_alert")
    assert activity["action"][0]["action_group_id"] == group


def test_budget_thresholds_from_config(cluster_stack, environments):
    env, _ = cluster_stack.environment(environments)
    budget = cluster_stack.only("azurerm_consumption_budget_resource_group")
    assert budget["amount"] == env.budget.monthly_amount
    assert budget["resource_group_id"] == cluster_stack.ref("azurerm_resource_group")
    actual = sorted(n["threshold"] for n in budget["notification"] if n["threshold_type"] == "Actual")
    assert actual == list(env.budget.thresholds)
    assert all(n["contact_groups"] == [cluster_stack.ref("azurerm_monitor_action_group")] for n in budget["notification"])



# --- issue 9: what only shows when Azure runs it --------------------------------------------------

def _waits_for(stack, consumer: dict, seconds: int) -> set[str]:
    """Role assignments a consumer reaches through a `time_sleep` (of `seconds`) in its depends_on."""
    sleeps = stack.resources("time_sleep")
    reached: set[str] = set()
    for dependency in consumer.get("depends_on", []):
        if dependency.startswith("time_sleep."):
            sleep = sleeps[dependency.split(".", 1)[1]]
            assert sleep["create_duration"] == f"{seconds}s"
            assert set(sleep["triggers"].values()) == {f"${{{d}.id}}" for d in sleep["depends_on"]}
            reached |= set(sleep["depends_on"])
    return reached


def _assignment_addresses(stack, prefix: str) -> set[str]:
    return {f"azurerm_role_assignment.{k}" for k in stack.resources("azurerm_role_assignment") if k.startswith(prefix)}


def test_every_consumer_of_a_new_role_waits_for_it_to_propagate(cluster_stack, environments):
    env, _ = cluster_stack.environment(environments)
    seconds = env.deploy.role_propagation_seconds
    cluster = cluster_stack.only("azurerm_kubernetes_cluster")
    assert _waits_for(cluster_stack, cluster, seconds) == _assignment_addresses(cluster_stack, "ControlPlaneRoles_")
    gateway = cluster_stack.only("azurerm_application_gateway")
    assert _waits_for(cluster_stack, gateway, seconds) == _assignment_addresses(cluster_stack, "AppGatewayRoles_")
    for certificate in cluster_stack.resources("azurerm_key_vault_certificate").values():
        assert _waits_for(cluster_stack, certificate, seconds) == _assignment_addresses(
            cluster_stack, "KeyVault_CertificatesOfficer")
    # The grants the workload stack relies on: the cluster stack's apply ends only once they propagated.
    trailing = [s for s in cluster_stack.resources("time_sleep").values()
                if any(d.startswith("azurerm_role_assignment.ClusterRoles_") for d in s["depends_on"])]
    assert len(trailing) == 1
    assert set(trailing[0]["depends_on"]) == _assignment_addresses(cluster_stack, "ClusterRoles_") | {
        f"azurerm_federated_identity_credential.{k}" for k in cluster_stack.resources("azurerm_federated_identity_credential")}
    assert cluster_stack.doc["terraform"]["required_providers"]["time"] == {"source": "hashicorp/time", "version": "0.13.1"}


def test_defender_reports_to_its_own_workspace_and_the_main_one_stays_entra_only(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    names = RegionNames.of(env, region).cluster
    cluster = cluster_stack.only("azurerm_kubernetes_cluster")
    defender = cluster_stack.named("azurerm_log_analytics_workspace", names.defender_log_analytics)
    assert cluster["microsoft_defender"] == {
        "log_analytics_workspace_id": cluster_stack.ref("azurerm_log_analytics_workspace", name=names.defender_log_analytics)}
    assert defender["local_authentication_enabled"] is True and defender["retention_in_days"] == 30
    if env.monitoring.workspace == "workload":
        main = cluster_stack.named("azurerm_log_analytics_workspace", names.log_analytics)
        assert main["local_authentication_enabled"] is False
        assert cluster["oms_agent"]["log_analytics_workspace_id"] != cluster["microsoft_defender"]["log_analytics_workspace_id"]


def test_versions_azure_patches_are_ignored_and_the_minor_is_applied_once(cluster_stack, environments):
    env, _ = cluster_stack.environment(environments)
    cluster = cluster_stack.only("azurerm_kubernetes_cluster")
    assert cluster["lifecycle"]["ignore_changes"] == ["kubernetes_version", "default_node_pool[0].orchestrator_version"]
    pools = cluster_stack.resources("azurerm_kubernetes_cluster_node_pool").values()
    assert pools and all(pool["lifecycle"]["ignore_changes"] == ["orchestrator_version"] for pool in pools)
    (keeper,) = cluster_stack.resources("time_static").values()
    assert keeper["triggers"] == {"version": env.cluster.kubernetes_minor}
    updates = cluster_stack.resources("azapi_update_resource").values()
    assert sorted(json.dumps(u["body"]) for u in updates) == sorted([
        json.dumps({"properties": {"kubernetesVersion": env.cluster.kubernetes_minor}}),
        # The system pool and every user pool (the Spot pool too).
        *[json.dumps({"properties": {"orchestratorVersion": env.cluster.kubernetes_minor}})] * (1 + len(pools))])


def test_the_gateway_trusts_the_ingress_certificate_from_key_vault_not_a_copy(cluster_stack, environments):
    env, _ = cluster_stack.environment(environments)
    gateway = cluster_stack.only("azurerm_application_gateway")
    roots = gateway.get("trusted_root_certificate", [])
    if env.ingress.certificate_issuer != "Self":
        assert not roots
        return
    (root,) = roots
    assert "data" not in root
    assert root["key_vault_secret_id"] == cluster_stack.ref(
        "azurerm_key_vault_certificate", "versionless_secret_id", name="traefik-ingress-internal-aks-ingress-tls")
    listener = gateway["ssl_certificate"][0]["key_vault_secret_id"]
    assert listener.endswith(".versionless_secret_id}")
