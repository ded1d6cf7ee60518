"""The state account cannot be deleted, and state cannot be lost or overwritten for good, without
first removing the CanNotDelete lock (which the pipeline's identities cannot do)."""

from __future__ import annotations

import pytest

from constructs_lib.config.roles import DEPLOY_IDENTITY_ROLES, PLAN_IDENTITY_ROLES
from constructs_lib.config.stack_plan import environment_of
from constructs_lib.security.state_storage import StateStorage, StateStorageProps
from tests.envfiles import env_named, planned_stacks
from tests.synth import empty_stack, synth_construct

BOOTSTRAPS = planned_stacks("bootstrap")


def _props(**overrides) -> StateStorageProps:
    values = {"name": "sttfstatetest", "container_name": "tfstate", "location": "eastus2",
                  "resource_group_name": "rg-tfstate", "log_analytics_workspace_id": "/subscriptions/x/log"}
    values.update(overrides)
    return StateStorageProps(**values)


@pytest.mark.parametrize("name", BOOTSTRAPS)
def test_state_survives_deletes_and_overwrites_until_the_lock_is_removed(synthesized, environments, name):
    stack = synthesized.stack(name)
    env = env_named(environments, environment_of(name))
    account = stack.only("azurerm_storage_account")
    assert account["name"] == env.state.storage_account_name
    lock = stack.only("azurerm_management_lock")
    assert lock["lock_level"] == "CanNotDelete" and lock["scope"] == stack.ref("azurerm_storage_account")
    # The lock does not protect blobs (learn.microsoft.com/azure/storage/common/lock-account-resource):
    blob = account["blob_properties"]
    assert blob["versioning_enabled"] is True
    assert blob["delete_retention_policy"] == {"days": env.state.soft_delete_days, "permanent_delete_enabled": False}
    assert blob["container_delete_retention_policy"] == {"days": env.state.soft_delete_days}
    assert account["lifecycle"] == {"prevent_destroy": True}
    container = stack.only("azurerm_storage_container")
    assert container["lifecycle"] == {"prevent_destroy": True}
    assert container["name"] == env.state.container_name and container["container_access_type"] == "private"
    # No way around RBAC: no shared key, no anonymous access; zone- and geo-redundant by default.
    assert account["shared_access_key_enabled"] is False and account["default_to_oauth_authentication"] is True
    assert account["allow_nested_items_to_be_public"] is False
    assert account["account_replication_type"] == "GZRS"
    assert account["min_tls_version"] == "TLS1_2" and account["https_traffic_only_enabled"] is True
    assert account["infrastructure_encryption_enabled"] is True
    assert account["cross_tenant_replication_enabled"] is False
    # The shipped files list no runner range: the account is private.
    assert account["public_network_access_enabled"] is False
    assert account["network_rules"]["default_action"] == "Deny"


def test_no_pipeline_identity_can_remove_the_lock():
    # Contributor excludes Microsoft.Authorization/*/Delete; none of the roles is Owner, User Access
    # Administrator or Locks Contributor, the roles that can delete a lock.
    for roles in (DEPLOY_IDENTITY_ROLES, PLAN_IDENTITY_ROLES):
        assert not roles & {"Owner", "User Access Administrator", "Locks Contributor"}


@pytest.mark.parametrize("name", BOOTSTRAPS)
def test_blob_reads_writes_and_deletes_are_logged(synthesized, name):
    stack = synthesized.stack(name)
    account = stack.ref("azurerm_storage_account")
    settings = {body["target_resource_id"]: body for body in stack.resources("azurerm_monitor_diagnostic_setting").values()}
    blob = settings[f"{account}/blobServices/default"]
    assert [log["category"] for log in blob["enabled_log"]] == ["StorageRead", "StorageWrite", "StorageDelete"]
    assert blob["log_analytics_workspace_id"] == stack.ref("azurerm_log_analytics_workspace")
    assert settings[account]["enabled_metric"] == [{"category": "Transaction"}]


def test_runner_ranges_open_the_firewall_to_those_ranges_only():
    stack = synth_construct(lambda s: StateStorage(s, "State", _props(
        allowed_ip_ranges=("20.51.10.0/28", "40.74.3.7/32"))))
    account = stack.only("azurerm_storage_account")
    assert account["public_network_access_enabled"] is True
    assert account["network_rules"] == {"default_action": "Deny", "bypass": ["AzureServices"],
                                        "ip_rules": ["20.51.10.0/28", "40.74.3.7"]}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"replication": "LRS"}, r"replication: 'LRS' must be one of ZRS, GZRS, RAGZRS, GRS, RAGRS"),
    ({"soft_delete_days": 0}, r"soft_delete_days: 0 days is outside 1-365 days"),
    ({"name": "St-Bad"}, r"name: 'St-Bad' is not a storage account name"),
    ({"container_name": "x"}, r"container_name: 'x' is not a blob container name"),
])
def test_state_storage_refuses_weak_or_invalid_settings(overrides, message):
    with pytest.raises(ValueError, match=message):
        StateStorage(empty_stack(), "State", _props(**overrides))
