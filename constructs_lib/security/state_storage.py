"""The storage account and container that hold an environment's Terraform state.

Loss and overwrite protection, in layers (each asserted by tests/security/test_state_storage.py):
- a `CanNotDelete` management lock on the account: nobody, Owner included, deletes the account
  without first removing the lock;
- Terraform `prevent_destroy` on the account and the container: a plan that would destroy or
  replace them fails;
- blob versioning and blob soft delete: an overwritten or deleted state blob stays recoverable
  for `soft_delete_days`, because "locking a storage account does not protect containers or blobs
  within that account from being deleted or overwritten"
  (https://learn.microsoft.com/azure/storage/common/lock-account-resource); container soft delete
  for the container itself; permanent delete of soft-deleted versions is off;
- Entra ID only (shared keys off, so no account key or key-signed SAS can bypass RBAC), TLS 1.2,
  HTTPS only, no anonymous blob access, no cross-tenant replication, infrastructure (double)
  encryption;
- network: public access off, or only from the listed runner ranges.
Diagnostics send the blob service's read, write and delete logs and transaction metrics to a
Log Analytics workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_azurerm.management_lock import ManagementLock
from cdktf_cdktf_provider_azurerm.monitor_diagnostic_setting import (
    MonitorDiagnosticSetting,
    MonitorDiagnosticSettingEnabledLog,
    MonitorDiagnosticSettingEnabledMetric,
)
from cdktf_cdktf_provider_azurerm.storage_account import (
    StorageAccount,
    StorageAccountBlobProperties,
    StorageAccountBlobPropertiesContainerDeleteRetentionPolicy,
    StorageAccountBlobPropertiesDeleteRetentionPolicy,
    StorageAccountNetworkRules,
    StorageAccountSasPolicy,
)
from cdktf_cdktf_provider_azurerm.storage_container import StorageContainer
from constructs import Construct

from constructs_lib.config import rules
from constructs_lib.config.patterns import BLOB_CONTAINER_NAME, STORAGE_ACCOUNT_NAME
from constructs_lib.core.primary_resource import PrimaryResource

REPLICATION_TYPES = ("ZRS", "GZRS", "RAGZRS", "GRS", "RAGRS")
"""Zone- or geo-redundant replication only: state survives the loss of a zone (ZRS, GZRS, RAGZRS) or
of the region (GZRS, RAGZRS, GRS, RAGRS); LRS is refused."""
BLOB_LOG_CATEGORIES = ("StorageRead", "StorageWrite", "StorageDelete")
"""Blob service log categories (table StorageBlobLogs,
https://learn.microsoft.com/azure/azure-monitor/reference/supported-logs/microsoft-storage-storageaccounts-blobservices-logs)."""
TRANSACTION_METRICS = "Transaction"
"""Metric category of storage accounts and their services."""


@dataclass(frozen=True)
class StateStorageProps:
    """Inputs of the state storage account."""

    name: str
    """Globally unique account name: 3-24 lowercase letters and digits (`state.storage_account_name`)."""
    container_name: str
    """Blob container of the state files (`state.container_name`)."""
    location: str
    """Azure region (the environment's first region)."""
    resource_group_name: str
    """Resource group of the account (`state.resource_group_name`)."""
    log_analytics_workspace_id: str
    """Workspace receiving the blob service's logs and the transaction metrics."""
    replication: str = "GZRS"
    """`ZRS`, `GZRS` (default), `RAGZRS`, `GRS` or `RAGRS`; locally redundant storage is refused."""
    soft_delete_days: int = 30
    """Days deleted blobs, overwritten versions and a deleted container stay recoverable (1-365).
    Default 30."""
    allowed_ip_ranges: tuple[str, ...] = field(default_factory=tuple)
    """Public IPv4 ranges allowed through the account's firewall (runners, operators); a /32 is
    written as the bare address, as Azure requires. Empty (default): public network access off."""


def _ip_rule(cidr: str) -> str:
    """Azure's storage firewall takes single addresses without a prefix (no /31 or /32)."""
    address, _, prefix = cidr.partition("/")
    return address if prefix in ("", "32") else cidr


class StateStorage(PrimaryResource, Construct):
    """`azurerm_storage_account` (+ its container, `CanNotDelete` lock and diagnostics) for Terraform
    state, protected as the module docstring lists. Raises ValueError for a bad name, a locally
    redundant replication or a retention outside 1-365 days."""

    def __init__(self, scope: Construct, id: str, props: StateStorageProps):
        super().__init__(scope, id)
        STORAGE_ACCOUNT_NAME.check("name", props.name)
        BLOB_CONTAINER_NAME.check("container_name", props.container_name)
        if props.replication not in REPLICATION_TYPES:
            raise ValueError(f"replication: {props.replication!r} must be one of {', '.join(REPLICATION_TYPES)} "
                             "(state must survive the loss of a zone or a region)")
        rules.check_range("soft_delete_days", props.soft_delete_days, rules.STATE_SOFT_DELETE_DAYS, "days")
        restricted = bool(props.allowed_ip_ranges)
        self.resource = StorageAccount(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            account_kind="StorageV2",
            account_tier="Standard",
            account_replication_type=props.replication,
            access_tier="Hot",
            min_tls_version="TLS1_2",
            https_traffic_only_enabled=True,
            shared_access_key_enabled=False,
            default_to_oauth_authentication=True,
            allow_nested_items_to_be_public=False,
            cross_tenant_replication_enabled=False,
            infrastructure_encryption_enabled=True,
            local_user_enabled=False,
            sftp_enabled=False,
            is_hns_enabled=False,
            public_network_access_enabled=restricted,
            network_rules=StorageAccountNetworkRules(
                default_action="Deny",
                bypass=["AzureServices"],
                ip_rules=[_ip_rule(cidr) for cidr in props.allowed_ip_ranges],
            ),
            # Shared keys are off, so no key-signed SAS can be made; the policy still caps any SAS.
            sas_policy=StorageAccountSasPolicy(expiration_period="0.01:00:00", expiration_action="Log"),
            blob_properties=StorageAccountBlobProperties(
                versioning_enabled=True,
                change_feed_enabled=True,
                change_feed_retention_in_days=props.soft_delete_days,
                delete_retention_policy=StorageAccountBlobPropertiesDeleteRetentionPolicy(
                    days=props.soft_delete_days, permanent_delete_enabled=False),
                container_delete_retention_policy=StorageAccountBlobPropertiesContainerDeleteRetentionPolicy(
                    days=props.soft_delete_days),
            ),
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
        # With `storage_account_id` azurerm manages the container through Resource Manager, so the
        # bootstrap needs no data-plane reach to the (firewalled) account.
        self.container = StorageContainer(
            self,
            "Container",
            name=props.container_name,
            storage_account_id=self.resource.id,
            container_access_type="private",
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
        self.lock = ManagementLock(
            self,
            "Lock",
            name=f"lock-{props.name}",
            scope=self.resource.id,
            lock_level="CanNotDelete",
            notes="Terraform state of this environment. Remove this lock only to retire the environment.",
        )
        blob_service_id = f"{self.resource.id}/blobServices/default"
        MonitorDiagnosticSetting(
            self,
            "BlobDiagnostics",
            name="to-log-analytics",
            target_resource_id=blob_service_id,
            log_analytics_workspace_id=props.log_analytics_workspace_id,
            enabled_log=[MonitorDiagnosticSettingEnabledLog(category=c) for c in BLOB_LOG_CATEGORIES],
            enabled_metric=[MonitorDiagnosticSettingEnabledMetric(category=TRANSACTION_METRICS)],
        )
        MonitorDiagnosticSetting(
            self,
            "Diagnostics",
            name="to-log-analytics",
            target_resource_id=self.resource.id,
            log_analytics_workspace_id=props.log_analytics_workspace_id,
            enabled_metric=[MonitorDiagnosticSettingEnabledMetric(category=TRANSACTION_METRICS)],
        )

    @property
    def container_id(self) -> str:
        """Resource Manager ID of the container (the scope of the state data roles)."""
        return str(self.container.id)
