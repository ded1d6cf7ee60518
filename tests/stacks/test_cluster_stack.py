"""Cluster stack: how the constructs are wired together per environment and region."""

from __future__ import annotations

import json

import pytest

CLUSTER_STACKS = ["dev-eastus2-cluster", "prod-eastus2-cluster", "prod-centralus-cluster"]


@pytest.fixture(scope="module", params=CLUSTER_STACKS)
def cluster_stack(request, synthesized):
    return synthesized.stack(request.param)


def test_depends_on_its_spoke_only(cluster_stack, synthesized):
    assert synthesized.manifest["stacks"][cluster_stack.name]["dependencies"] == [
        cluster_stack.name.replace("-cluster", "-spoke")]
    assert "terraform_remote_state" not in cluster_stack.doc.get("data", {})


def test_registry_private_and_replicated(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    registry = cluster_stack.only("azurerm_container_registry")
    assert registry["sku"] == "Premium" and registry["admin_enabled"] is False
    assert registry["public_network_access_enabled"] is False
    assert registry["zone_redundancy_enabled"] is True and registry["retention_policy_in_days"] == 15
    expected_replicas = {"dev-eastus2-cluster": ["centralus"], "prod-eastus2-cluster": ["centralus"],
                         "prod-centralus-cluster": ["eastus2"]}[cluster_stack.name]
    assert [g["location"] for g in registry["georeplications"]] == expected_replicas
    endpoint = next(p for p in cluster_stack.resources("azurerm_private_endpoint").values()
                    if p["private_service_connection"]["subresource_names"] == ["registry"])
    assert endpoint["subnet_id"] == cluster_stack.data_ref("azurerm_subnet", "snet-privatelinkendpoints")
    assert endpoint["private_dns_zone_group"]["private_dns_zone_ids"] == [
        cluster_stack.ref("azurerm_private_dns_zone", name="privatelink.azurecr.io")]


def test_private_zones_linked_to_spoke_and_hub(cluster_stack):
    links = cluster_stack.resources("azurerm_private_dns_zone_virtual_network_link").values()
    by_zone: dict[str, set[str]] = {}
    for link in links:
        by_zone.setdefault(link["private_dns_zone_name"], set()).add(link["virtual_network_id"])
    assert len(by_zone) == 4
    for vnets in by_zone.values():
        assert len(vnets) == 2 and all(v.startswith("${data.azurerm_virtual_network.") for v in vnets)
    region = cluster_stack.name.split("-")[1]
    names = {z["name"] for z in cluster_stack.resources("azurerm_private_dns_zone").values()}
    assert names == {"privatelink.azurecr.io", "privatelink.vaultcore.azure.net",
                     f"privatelink.{region}.azmk8s.io", "aks-ingress.contoso.com"}


def test_ingress_host_resolves_to_the_internal_load_balancer(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    record = cluster_stack.only("azurerm_private_dns_a_record")
    assert record["name"] == "bu0001a0008-00"
    assert record["records"] == [str(region.spoke.ingress_load_balancer_ip)]


def test_key_vault_protection_follows_the_environment(cluster_stack, environments):
    env, _ = cluster_stack.environment(environments)
    vault = cluster_stack.only("azurerm_key_vault")
    assert vault["rbac_authorization_enabled"] is True
    assert vault["public_network_access_enabled"] is False
    assert vault["network_acls"] == {"bypass": "AzureServices", "default_action": "Deny"}
    assert vault["purge_protection_enabled"] is (env.name == "prod")
    assert vault["soft_delete_retention_days"] == (90 if env.name == "prod" else 7)
    assert vault["tenant_id"] == str(env.entra.tenant_id)
    certificates = {c["name"]: c for c in cluster_stack.resources("azurerm_key_vault_certificate").values()}
    assert set(certificates) == {"appgw-listener-tls", "traefik-ingress-internal-aks-ingress-tls"}
    listener = certificates["appgw-listener-tls"]["certificate_policy"]
    assert listener["x509_certificate_properties"]["subject"] == f"CN={env.ingress.public_fqdn}"
    assert listener["issuer_parameters"]["name"] == "Self"


def test_app_gateway_terminates_with_key_vault_certificate_and_reencrypts(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    gateway = cluster_stack.only("azurerm_application_gateway")
    assert gateway["sku"] == {"name": "WAF_v2", "tier": "WAF_v2"}
    assert gateway["zones"] == ["1", "2", "3"]
    assert gateway["autoscale_configuration"] == {"min_capacity": 0, "max_capacity": 10}
    assert gateway["ssl_policy"]["min_protocol_version"] == "TLSv1_2"
    assert gateway["firewall_policy_id"] == cluster_stack.ref("azurerm_web_application_firewall_policy")
    assert gateway["ssl_certificate"][0]["key_vault_secret_id"].startswith(
        "${azurerm_key_vault_certificate.KeyVault_Certificate-listener")
    assert gateway["http_listener"][0]["host_name"] == env.ingress.public_fqdn
    assert gateway["backend_address_pool"][0]["fqdns"] == ["bu0001a0008-00.aks-ingress.contoso.com"]
    assert gateway["backend_http_settings"][0]["protocol"] == "Https"
    assert gateway["gateway_ip_configuration"][0]["subnet_id"] == cluster_stack.data_ref("azurerm_subnet", "snet-applicationgateway")
    assert gateway["frontend_ip_configuration"][0]["public_ip_address_id"].startswith("${data.azurerm_public_ip.")
    identity = cluster_stack.ref("azurerm_user_assigned_identity", name=f"id-bu0001a0008-appgateway-{env.name}-{region.name}")
    assert gateway["identity"]["identity_ids"] == [identity]
    waf = cluster_stack.only("azurerm_web_application_firewall_policy")
    assert waf["policy_settings"]["mode"] == "Prevention"
    assert {(s["type"], s["version"]) for s in waf["managed_rules"]["managed_rule_set"]} == {
        ("OWASP", "3.2"), ("Microsoft_BotManagerRuleSet", "1.0")}


def test_cluster_settings_come_from_the_environment(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    cluster = cluster_stack.only("azurerm_kubernetes_cluster")
    assert cluster["kubernetes_version"] == "1.35"
    assert cluster["sku_tier"] == "Standard"
    assert cluster["private_cluster_enabled"] is True
    assert cluster["local_account_disabled"] is True
    assert cluster["network_profile"]["network_plugin_mode"] == "overlay"
    assert cluster["network_profile"]["outbound_type"] == "userDefinedRouting"
    assert cluster["api_server_access_profile"]["subnet_id"] == cluster_stack.data_ref("azurerm_subnet", "snet-privatecluster")
    assert cluster["default_node_pool"]["vnet_subnet_id"] == cluster_stack.data_ref("azurerm_subnet", "snet-clusternodes")
    assert cluster["default_node_pool"]["min_count"] == env.cluster.system_pool.min_count
    aad = cluster["azure_active_directory_role_based_access_control"]
    assert aad["azure_rbac_enabled"] is True and aad["tenant_id"] == str(env.entra.tenant_id)
    assert cluster["maintenance_window_node_os"]["day_of_week"] == env.cluster.maintenance.day
    pool = cluster_stack.only("azurerm_kubernetes_cluster_node_pool")
    assert (pool["name"], pool["min_count"], pool["max_count"]) == (
        "npuser01", env.cluster.user_pool.min_count, env.cluster.user_pool.max_count)
    assert cluster["oms_agent"]["log_analytics_workspace_id"] == cluster_stack.ref("azurerm_log_analytics_workspace")
    # The cluster waits for the control plane's rights on the subnets and the private DNS zone.
    depends = cluster["depends_on"]
    assert sum(d.startswith("azurerm_role_assignment.ControlPlaneRoles") for d in depends) == 5


def _assignments(stack) -> list[tuple[str, str, str]]:
    return [(a["role_definition_name"], a["principal_id"], a["scope"])
            for a in stack.resources("azurerm_role_assignment").values()]


def test_least_privilege_role_assignments(cluster_stack, environments):
    env, region = cluster_stack.environment(environments)
    identity = lambda kind, attr="principal_id": cluster_stack.ref(  # noqa: E731
        "azurerm_user_assigned_identity", attr, f"id-bu0001a0008-{kind}-{env.name}-{region.name}")
    cluster = cluster_stack.ref("azurerm_kubernetes_cluster")
    vault = cluster_stack.ref("azurerm_key_vault")
    kubelet = cluster.replace(".id}", ".kubelet_identity[0].object_id}")
    expected = {
        ("Network Contributor", identity("controlplane"), cluster_stack.data_ref("azurerm_subnet", "snet-clusternodes")),
        ("Network Contributor", identity("controlplane"), cluster_stack.data_ref("azurerm_subnet", "snet-clusteringressservices")),
        ("Network Contributor", identity("controlplane"), cluster_stack.data_ref("azurerm_subnet", "snet-privatecluster")),
        ("Private DNS Zone Contributor", identity("controlplane"),
         cluster_stack.ref("azurerm_private_dns_zone", name=f"privatelink.{region.name}.azmk8s.io")),
        ("Private DNS Zone Contributor", identity("controlplane"),
         cluster_stack.data_ref("azurerm_virtual_network", f"vnet-spoke-bu0001a0008-{env.name}-{region.name}")),
        ("Key Vault Secrets User", identity("appgateway"), vault),
        ("Key Vault Reader", identity("appgateway"), vault),
        ("Key Vault Secrets User", identity("ingress"), vault),
        ("Key Vault Reader", identity("ingress"), vault),
        ("AcrPull", kubelet, cluster_stack.ref("azurerm_container_registry")),
        ("Virtual Machine Contributor", kubelet, cluster.replace(".id}", ".node_resource_group_id}")),
        ("Azure Kubernetes Service RBAC Cluster Admin", str(env.entra.cluster_admin_group_object_ids[0]), cluster),
        ("Azure Kubernetes Service Cluster User Role", str(env.entra.cluster_admin_group_object_ids[0]), cluster),
        ("Azure Kubernetes Service RBAC Reader", str(env.entra.namespace_reader_group_object_ids[0]),
         f"{cluster}/namespaces/a0008"),
        ("Azure Kubernetes Service Cluster User Role", str(env.entra.namespace_reader_group_object_ids[0]), cluster),
    }
    actual = set(_assignments(cluster_stack))
    assert expected <= actual
    others = actual - expected
    roles = sorted(role for role, _, _ in others)
    assert roles == ["Key Vault Certificates Officer", "Monitoring Metrics Publisher"], others
    assert not any(role in ("Owner", "Contributor", "User Access Administrator") for role, _, _ in actual)


def test_workload_identity_federated_to_traefiks_service_account(cluster_stack):
    credential = cluster_stack.only("azurerm_federated_identity_credential")
    assert credential["subject"] == "system:serviceaccount:a0008:traefik-ingress-controller"
    assert credential["audience"] == ["api://AzureADTokenExchange"]
    assert credential["issuer"] == cluster_stack.ref("azurerm_kubernetes_cluster", "oidc_issuer_url")


def test_policy_only_allows_this_environments_registry(cluster_stack):
    registry = cluster_stack.only("azurerm_container_registry")["name"]
    assignments = cluster_stack.resources("azurerm_resource_group_policy_assignment").values()
    images = [a for a in assignments if a["policy_definition_id"].endswith("febd0533-8e55-448f-b837-bd0e06f16469")]
    assert len(images) == 1
    parameters = json.loads(images[0]["parameters"])
    assert parameters["effect"]["value"] == "Deny"
    assert parameters["allowedContainerImagesRegex"]["value"].startswith(f"^{registry}\\.azurecr\\.io/")
    initiative = [a for a in assignments if "policySetDefinitions/42b8ef37" in a["policy_definition_id"]]
    assert json.loads(initiative[0]["parameters"])["effect"]["value"] == "Audit"
    assert len(list(assignments)) == 21
    definition = cluster_stack.only("azurerm_policy_definition")
    assert definition["name"].endswith(f"-{cluster_stack.name.split('-')[0]}-" + {
        "eastus2": "eus2", "centralus": "cus"}[cluster_stack.name.split("-")[1]])


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


DIAGNOSED = ["azurerm_container_registry", "azurerm_key_vault", "azurerm_application_gateway",
             "azurerm_kubernetes_cluster", "azurerm_log_analytics_workspace", "azurerm_monitor_data_collection_rule"]


def test_every_diagnostic_capable_resource_is_observed(cluster_stack):
    targets = {d["target_resource_id"] for d in cluster_stack.resources("azurerm_monitor_diagnostic_setting").values()}
    for resource_type in DIAGNOSED:
        for key in cluster_stack.resources(resource_type):
            assert f"${{{resource_type}.{key}.id}}" in targets, f"{resource_type}.{key}"
