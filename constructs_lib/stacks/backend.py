"""Terraform state location per environment, region and stack."""

from __future__ import annotations

from cdktf import AzurermBackend, CloudBackend, LocalBackend, NamedCloudWorkspace, TerraformStack

from constructs_lib.config.models import AzureRmState, CloudState, Environment
from constructs_lib.config.rules import workspace_name
from constructs_lib.config.stack_plan import BOOTSTRAP_KIND, stack_name

LOCAL_STATE_DIR = "terraform-state"


def state_key(environment: str, region: str | None, kind: str) -> str:
    """Blob key (or local file) of one stack's state: `<env>/<region>/<kind>.tfstate`, or
    `<env>/<kind>.tfstate` for an environment-level stack (`prod/bootstrap.tfstate`)."""
    return f"{environment}/{region}/{kind}.tfstate" if region else f"{environment}/{kind}.tfstate"


def _local(stack: TerraformStack, key: str) -> None:
    # Terraform runs inside cdktf.out/stacks/<stack>/; three levels up is the project root.
    LocalBackend(stack, path=f"../../../{LOCAL_STATE_DIR}/{key}")


def configure_backend(stack: TerraformStack, env: Environment, region: str | None, kind: str) -> None:
    """Attach the environment's backend to a stack; credentials never appear in the config.

    azurerm: Entra ID (data-plane RBAC) auth, `use_azuread_auth`; the caller's identity comes from
    `az login`, OIDC or managed identity through the usual ARM_* variables. The bootstrap stack,
    which creates that storage, keeps local state until `state.bootstrap_migrated` is true.
    cloud: the stack's own HCP Terraform / Terraform Enterprise workspace (`state.workspace_name`
    with `{stack}` replaced), in `state.project` when set; the token comes from `terraform login`.
    local: a sandbox file under `terraform-state/` in the project, addressed relative to the stack
    folder so re-synthesizing `cdktf.out/` never deletes state.
    """
    key = state_key(env.name, region, kind)
    state = env.state
    if isinstance(state, AzureRmState):
        if kind == BOOTSTRAP_KIND and not state.bootstrap_migrated:
            _local(stack, key)
            return
        AzurermBackend(
            stack,
            resource_group_name=state.resource_group_name,
            storage_account_name=state.storage_account_name,
            container_name=state.container_name,
            key=key,
            use_azuread_auth=True,
            subscription_id=str(state.subscription_id) if state.subscription_id else None,
            tenant_id=str(state.tenant_id) if state.tenant_id else None,
        )
    elif isinstance(state, CloudState):
        CloudBackend(
            stack,
            organization=state.organization,
            hostname=state.hostname,
            workspaces=NamedCloudWorkspace(
                name=workspace_name(state.workspace_name, stack_name(env.name, region, kind)),
                project=state.project),
        )
    else:
        _local(stack, key)
