"""Every stack tells the next step and the people running it what they need, and nothing secret."""

from __future__ import annotations

import json
import re

EXPECTED = {
    "bootstrap": {"deploy_identity_client_id", "plan_identity_client_id", "tenant_id", "subscription_id",
                  "state_storage_account_name", "state_container_name"},
    "hub": {"virtual_network_id", "firewall_private_ip", "bastion_name", "log_analytics_workspace_id"},
    "spoke": {"virtual_network_id", "app_gateway_public_ip_address"},
    "cluster": {"cluster_name", "cluster_id", "key_vault_uri", "log_analytics_workspace_id",
                "app_gateway_public_ip_address", "app_gateway_fqdn"},
    "workload": {"public_url", "flux_configuration_id"},
    "global": {"registry_name", "registry_login_server", "log_analytics_workspace_id"},
    "routing": {"public_url", "front_door_endpoint_host_name"},
}
# Attributes that hold credentials or key material; no output may read one.
SECRET_ATTRIBUTES = re.compile(
    r"\.(kube_config|kube_admin_config|kube_config_raw|kube_admin_config_raw|primary_access_key|secondary_access_key|"
    r"primary_connection_string|secondary_connection_string|admin_password|password|client_secret|"
    r"primary_shared_key|secondary_shared_key|private_key_pem|certificate_data|value)\b")


def test_every_stack_has_the_outputs_a_later_step_needs(synthesized):
    for name, stack in synthesized.stacks.items():
        kind = name.rsplit("-", 1)[1]
        outputs = stack.doc.get("output", {})
        assert EXPECTED[kind] <= set(outputs), f"{name}: missing {sorted(EXPECTED[kind] - set(outputs))}"
        assert all(body.get("description") for body in outputs.values()), f"{name}: an output has no description"


def test_no_output_is_sensitive_or_reads_a_secret(synthesized):
    for name, stack in synthesized.stacks.items():
        for key, body in stack.doc.get("output", {}).items():
            assert not body.get("sensitive"), f"{name}.{key} is sensitive"
            assert not SECRET_ATTRIBUTES.search(json.dumps(body["value"])), f"{name}.{key} reads a secret: {body['value']}"


def test_global_outputs_name_the_shared_registry_and_the_front_door_endpoint(synthesized, environments):
    for env in environments:
        stack = synthesized.stack(f"{env.name}-global")
        outputs = {key: body["value"] for key, body in stack.doc["output"].items()}
        assert outputs["registry_name"] == stack.only("azurerm_container_registry")["name"]
        assert outputs["registry_login_server"] == stack.ref("azurerm_container_registry", "login_server")
        assert ("front_door_endpoint_host_name" in outputs) == env.front_door_enabled
        if env.front_door_enabled:
            assert outputs["front_door_profile_resource_guid"] == stack.ref("azurerm_cdn_frontdoor_profile",
                                                                             "resource_guid")


def test_cluster_outputs_name_the_real_cluster_and_host(synthesized, environments):
    for stack in synthesized.of_kind("cluster"):
        env, _ = stack.environment(environments)
        outputs = {key: body["value"] for key, body in stack.doc["output"].items()}
        assert outputs["cluster_id"] == stack.ref("azurerm_kubernetes_cluster")
        assert outputs["app_gateway_fqdn"] == env.ingress.public_fqdn
        assert outputs["key_vault_uri"] == stack.ref("azurerm_key_vault", "vault_uri")
