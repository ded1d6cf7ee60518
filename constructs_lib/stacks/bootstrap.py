"""Bootstrap stack: what must exist before any other stack of an environment can run.

Applied once per environment by a person with Owner (or User Access Administrator plus
Contributor) on the subscription, on local state by design: the remote state does not exist
until this stack creates it. Afterwards its own state moves into that storage (README
"Bootstrap": set `state.bootstrap_migrated: true`, synth, `terraform init -migrate-state`).

It creates the state storage account and container (`security.state_storage`), a Log Analytics
workspace for their diagnostics, and, with a `ci:` section, the pipeline's two user-assigned
identities with GitHub federated credentials and exactly the rights the stacks need:
- deploy (`<env>` GitHub environment): Contributor and Resource Policy Contributor on the
  subscription, Role Based Access Control Administrator on the subscription limited by an ABAC
  condition to the roles the environment's stacks assign, Storage Blob Data Contributor on the
  state container;
- plan (`<env>-plan`): Reader and Key Vault Reader on the subscription, Storage Blob Data
  Contributor on the state container (plan takes the state lock).
Never Owner, never User Access Administrator.
"""

from __future__ import annotations

from collections.abc import Iterable

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_azurerm.data_azurerm_client_config import DataAzurermClientConfig
from cdktf_cdktf_provider_azurerm.provider import (
    AzurermProviderFeatures,
    AzurermProviderFeaturesStorage,
)
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from constructs import Construct

from constructs_lib.cluster.stop_schedule import StartStopRoleDefinition, StartStopRoleDefinitionProps
from constructs_lib.config.models import AzureRmState, Environment
from constructs_lib.config.regions import ZONE_REDUNDANT_REGIONS
from constructs_lib.config.resource_names import BootstrapNames, RegionNames, github_environments
from constructs_lib.config.roles import (
    ABAC_CONDITION_VERSION,
    DEPLOY_IDENTITY_ROLES,
    PLAN_IDENTITY_ROLES,
    RBAC_ADMINISTRATOR,
    abac_condition,
    start_stop_role_definition_id,
    start_stop_role_name,
)
from constructs_lib.config.rules import state_replication
from constructs_lib.config.stack_plan import BOOTSTRAP_KIND, stack_name
from constructs_lib.observability.log_analytics import LogAnalyticsWorkspace, LogAnalyticsWorkspaceProps
from constructs_lib.security.managed_identity import (
    GitHubFederatedCredentialSpec,
    ManagedIdentity,
    ManagedIdentityProps,
)
from constructs_lib.security.role_assignments import (
    RoleAssignments,
    RoleAssignmentSpec,
    RoleAssignmentsProps,
)
from constructs_lib.security.state_storage import StateStorage, StateStorageProps
from constructs_lib.stacks.lookups import environment_subscription_scope
from constructs_lib.stacks.regional_stack import configure_stack


class BootstrapStack(TerraformStack):
    """State storage and the pipeline's identities of one environment (`<env>-bootstrap`).

    `delegated_roles` are the role definition GUIDs the environment's other stacks assign; the
    deploy identity's RBAC Administrator condition allows exactly those (ValueError if empty
    while a `ci` section asks for the identities, or if it holds a role that is never delegated).
    """

    def __init__(self, scope: Construct, environment: Environment, delegated_roles: Iterable[str]):
        super().__init__(scope, stack_name(environment.name, None, BOOTSTRAP_KIND))
        env = self.environment = environment
        names = self.names = BootstrapNames.of(env)
        state = env.state if isinstance(env.state, AzureRmState) else None
        subscription = (state.subscription_id if state and state.subscription_id else env.subscription_id)
        configure_stack(
            self, env, None, BOOTSTRAP_KIND,
            # No data-plane calls to storage: the state account's firewall may not admit this machine.
            features=AzurermProviderFeatures(storage=[AzurermProviderFeaturesStorage(data_plane_available=False)]),
            subscription_id=str(subscription) if subscription else None)

        location = names.region
        group = ResourceGroup(self, "ResourceGroup", name=names.resource_group, location=location)
        client = DataAzurermClientConfig(self, "Deployer")
        subscription_scope = environment_subscription_scope(self, env.subscription_id)
        TerraformOutput(self, "resource_group_name", value=group.name,
                        description="Resource group of the state account and the pipeline identities.")
        TerraformOutput(self, "tenant_id", value=client.tenant_id,
                        description="AZURE_TENANT_ID of every GitHub environment of this environment.")
        TerraformOutput(self, "subscription_id",
                        value=str(env.subscription_id) if env.subscription_id else client.subscription_id,
                        description="AZURE_SUBSCRIPTION_ID of every GitHub environment of this environment.")

        self.storage: StateStorage | None = None
        if state is not None:
            workspace = LogAnalyticsWorkspace(self, "LogAnalytics", LogAnalyticsWorkspaceProps(
                name=names.log_analytics, location=location, resource_group_name=group.name,
                retention_in_days=env.monitoring.retention_days))
            self.storage = StateStorage(self, "StateStorage", StateStorageProps(
                name=state.storage_account_name, container_name=state.container_name, location=location,
                resource_group_name=group.name, log_analytics_workspace_id=workspace.id,
                replication=state_replication(state.replication, location, location in ZONE_REDUNDANT_REGIONS),
                soft_delete_days=state.soft_delete_days,
                allowed_ip_ranges=tuple(str(r) for r in env.ci.runner_ip_ranges) if env.ci else (),
            ))
            TerraformOutput(self, "state_storage_account_name", value=self.storage.name,
                            description="Storage account holding every stack's state (backend azurerm).")
            TerraformOutput(self, "state_container_name", value=state.container_name,
                            description="Blob container of the state files.")

        if env.cluster.stop_schedule is not None:
            # The stop-when-idle schedules' custom roles, defined here because writing a role
            # definition needs Microsoft.Authorization/roleDefinitions/write, which the deploy
            # identity (Contributor + ABAC-limited RBAC Administrator) does not have. Assignable in
            # the subscription: the cluster resource groups do not exist yet; the role only reads,
            # starts and stops managed clusters, and the cluster stacks assign it on their cluster.
            subscription_id = str(env.subscription_id) if env.subscription_id else None
            for region in env.regions:
                cluster = RegionNames.of(env, region).cluster.cluster
                StartStopRoleDefinition(self, f"StartStopRole-{region.name}", StartStopRoleDefinitionProps(
                    role_definition_id=start_stop_role_definition_id(cluster, subscription_id),
                    role_name=start_stop_role_name(cluster), scope=subscription_scope))

        self.delegated_roles = frozenset(delegated_roles)
        if env.ci is None:
            return
        github = github_environments(env.name)
        identity = {"location": location, "resource_group_name": group.name}
        self.deploy_identity = ManagedIdentity(self, "DeployIdentity", ManagedIdentityProps(
            name=names.deploy_identity, **identity, federated_credentials=(GitHubFederatedCredentialSpec(
                name="github-deploy", repository=env.ci.github_repository, environment=github["deploy"]),)))
        self.plan_identity = ManagedIdentity(self, "PlanIdentity", ManagedIdentityProps(
            name=names.plan_identity, **identity, federated_credentials=(GitHubFederatedCredentialSpec(
                name="github-plan", repository=env.ci.github_repository, environment=github["plan"]),)))
        self.condition = abac_condition(self.delegated_roles)
        deploy, plan = self.deploy_identity.principal_id, self.plan_identity.principal_id
        deploy_grants = {
            "deploy-contributor": RoleAssignmentSpec(
                "Contributor", deploy, subscription_scope,
                description="Creates the environment's resources (no role assignments, no policy)."),
            "deploy-policy": RoleAssignmentSpec(
                "Resource Policy Contributor", deploy, subscription_scope,
                description="Writes the stacks' policy definition and assignments."),
            "deploy-rbac": RoleAssignmentSpec(
                RBAC_ADMINISTRATOR, deploy, subscription_scope, condition=self.condition,
                condition_version=ABAC_CONDITION_VERSION,
                description="Assigns and removes only the roles the stacks assign (ABAC condition)."),
        }
        plan_grants = {
            "plan-reader": RoleAssignmentSpec("Reader", plan, subscription_scope,
                                              description="Refreshes every resource for plan and drift."),
            "plan-keyvault-reader": RoleAssignmentSpec(
                "Key Vault Reader", plan, subscription_scope,
                description="Reads certificate metadata (no secret values) when refreshing the vaults."),
        }
        if self.storage is not None:
            deploy_grants["deploy-state"] = RoleAssignmentSpec(
                "Storage Blob Data Contributor", deploy, self.storage.container_id,
                description="Reads, writes and locks the state blobs.")
            plan_grants["plan-state"] = RoleAssignmentSpec(
                "Storage Blob Data Contributor", plan, self.storage.container_id,
                description="Reads the state and takes its lock (a blob lease) during plan.")
        RoleAssignments(self, "DeployRoles", RoleAssignmentsProps(
            role_assignments=deploy_grants, allowed_roles=DEPLOY_IDENTITY_ROLES))
        RoleAssignments(self, "PlanRoles", RoleAssignmentsProps(
            role_assignments=plan_grants, allowed_roles=PLAN_IDENTITY_ROLES))
        TerraformOutput(self, "deploy_identity_client_id", value=self.deploy_identity.client_id,
                        description=f"AZURE_CLIENT_ID of the GitHub environment {github['deploy']}.")
        TerraformOutput(self, "plan_identity_client_id", value=self.plan_identity.client_id,
                        description=f"AZURE_CLIENT_ID of the GitHub environment {github['plan']}.")
        TerraformOutput(self, "deploy_identity_principal_id", value=self.deploy_identity.principal_id,
                        description="Object ID of the deploy identity (add it to a cluster admin group "
                                    "so it can apply the workload stack).")
