"""Stop when idle: two Logic Apps (Consumption) that stop the AKS cluster after working hours and
start it again before them, through the ARM start/stop endpoints, signed in as a user-assigned
identity that holds one custom role on this cluster only (read, start, stop).

What stopping means (https://learn.microsoft.com/azure/aks/start-stop-cluster): the control plane
and every node are deallocated and stop accruing charges; the cluster's state and configuration are
kept (up to 12 months); while stopped it serves nothing, has no SLA, and only start or delete are
allowed. On start a private cluster's API-server private endpoint is recreated and its IP may
change; standalone pods are gone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cdktf import Fn
from cdktf_cdktf_provider_azurerm.logic_app_action_custom import LogicAppActionCustom
from cdktf_cdktf_provider_azurerm.logic_app_trigger_recurrence import (
    LogicAppTriggerRecurrence,
    LogicAppTriggerRecurrenceSchedule,
)
from cdktf_cdktf_provider_azurerm.logic_app_workflow import (
    LogicAppWorkflow,
    LogicAppWorkflowIdentity,
)
from cdktf_cdktf_provider_azurerm.role_definition import (
    RoleDefinition,
    RoleDefinitionPermissions,
)
from constructs import Construct

from constructs_lib.config.models import StopSchedule
from constructs_lib.config.roles import ROLE_DEFINITION_PREFIX, START_STOP_ACTIONS, START_STOP_ROLE
from constructs_lib.config.rules import minutes_of_day
from constructs_lib.core.azapi import CONTAINER_SERVICE_API
from constructs_lib.core.diagnostics import DiagnosticSettings, DiagnosticSettingsProps
from constructs_lib.core.validation import is_guid
from constructs_lib.security.managed_identity import ManagedIdentity, ManagedIdentityProps
from constructs_lib.security.role_assignments import (
    RoleAssignments,
    RoleAssignmentSpec,
    RoleAssignmentsProps,
)

ARM_AUDIENCE = "https://management.azure.com/"
"""Token audience of Azure Resource Manager, which serves the start and stop operations."""


@dataclass(frozen=True)
class ClusterStopScheduleProps:
    """Inputs of the stop/start schedule of one cluster."""

    cluster_id: str
    """Resource ID of the cluster (usually a token): the only scope the identity's role is assigned at."""
    resource_group_id: str
    """Resource group of the cluster: where the custom role is defined and the only scope it may be
    assigned within."""
    resource_group_name: str
    """Resource group of the identity and the two Logic Apps."""
    location: str
    """Azure region."""
    identity_name: str
    """Name of the user-assigned identity both Logic Apps sign in as (CAF prefix `id-`)."""
    stop_workflow_name: str
    """Name of the Logic App that stops the cluster (CAF prefix `logic-`)."""
    start_workflow_name: str
    """Name of the Logic App that starts the cluster (CAF prefix `logic-`)."""
    role_definition_id: str
    """Bare GUID of the custom role (`config.roles.start_stop_role_definition_id`), else ValueError."""
    role_name: str
    """Display name of the custom role, unique in the tenant (`config.roles.start_stop_role_name`)."""
    log_analytics_workspace_id: str
    """Workspace receiving the Logic Apps' run history (WorkflowRuntime) and metrics."""
    schedule: StopSchedule
    """When to start and stop (`config.models.StopSchedule`: HH:MM times, days, Windows time zone)."""
    defined_in_subscription: str | None = None
    """Subscription scope (`/subscriptions/<id>`, or a token) where the custom role is already defined
    (the `<env>-bootstrap` stack defines it with `StartStopRoleDefinition`, because the deploy
    identity may not write role definitions); the schedule then only assigns it. Default none: this
    construct defines the role itself, assignable within the cluster's resource group."""


def _action(operation: str, cluster_id: str, identity_id: str) -> str:
    """The workflow definition of one HTTP action: POST `<cluster>/<operation>` with the identity's
    token. `azurerm_logic_app_action_http` has no `authentication` argument, hence a custom action."""
    return json.dumps({
        "type": "Http",
        "runAfter": {},
        "inputs": {
            "method": "POST",
            "uri": f"https://management.azure.com{cluster_id}/{operation}?api-version={CONTAINER_SERVICE_API}",
            "authentication": {"type": "ManagedServiceIdentity", "identity": identity_id, "audience": ARM_AUDIENCE},
        },
    }, sort_keys=True)


def _check_role_definition_id(value: str) -> None:
    """The custom role's ID is a bare GUID (so the ABAC condition can name it), else ValueError."""
    if not is_guid(value):
        raise ValueError(f"role_definition_id: {value!r} must be a bare GUID, e.g. "
                         "the value of config.roles.start_stop_role_definition_id")


@dataclass(frozen=True)
class StartStopRoleDefinitionProps:
    """The custom start/stop role of one cluster."""

    role_definition_id: str
    """Bare GUID (`config.roles.start_stop_role_definition_id`), else ValueError."""
    role_name: str
    """Display name, unique in the tenant (`config.roles.start_stop_role_name`)."""
    scope: str
    """Where the role is defined and the only scope it is assignable within: the cluster's resource
    group, or the subscription when the bootstrap defines it before that group exists."""


class StartStopRoleDefinition(Construct):
    """`azurerm_role_definition` with exactly `START_STOP_ACTIONS` (read, start, stop a managed
    cluster), its ID deterministic so the deploy identity's ABAC condition can name it."""

    def __init__(self, scope: Construct, id: str, props: StartStopRoleDefinitionProps):
        super().__init__(scope, id)
        _check_role_definition_id(props.role_definition_id)
        self.resource = RoleDefinition(
            self,
            "Resource",
            role_definition_id=props.role_definition_id,
            name=props.role_name,
            scope=props.scope,
            description=f"{START_STOP_ROLE}: read, start and stop one AKS cluster (stop-when-idle schedule).",
            permissions=[RoleDefinitionPermissions(actions=list(START_STOP_ACTIONS))],
            assignable_scopes=[props.scope],
        )


class ClusterStopSchedule(Construct):
    """User-assigned identity, custom role (`START_STOP_ACTIONS`, assignable only within the
    cluster's resource group) assigned on the cluster, and the Logic Apps `StopWorkflow` and
    `StartWorkflow`, each a weekly recurrence trigger plus one HTTP action, with diagnostics."""

    def __init__(self, scope: Construct, id: str, props: ClusterStopScheduleProps):
        super().__init__(scope, id)
        _check_role_definition_id(props.role_definition_id)
        schedule = props.schedule
        self.identity = ManagedIdentity(self, "Identity", ManagedIdentityProps(
            name=props.identity_name, location=props.location, resource_group_name=props.resource_group_name))
        # The assignment names the role by an ID that ends in the literal GUID, so the deploy identity's
        # ABAC condition (config.roles.abac_condition) can be checked at synth time.
        self.role: RoleDefinition | None = None
        if props.defined_in_subscription is not None:
            role_id = f"{props.defined_in_subscription}{ROLE_DEFINITION_PREFIX}{props.role_definition_id}"
        else:
            self.role = StartStopRoleDefinition(self, "Role", StartStopRoleDefinitionProps(
                role_definition_id=props.role_definition_id, role_name=props.role_name,
                scope=props.resource_group_id)).resource
            # Reads the definition's ID too, so Terraform creates the definition first.
            role_id = f"{Fn.dirname(Fn.dirname(self.role.role_definition_resource_id))}/roleDefinitions/" \
                      f"{props.role_definition_id}"
        self.assignment = RoleAssignments(self, "RoleAssignments", RoleAssignmentsProps(role_assignments={
            "start-stop": RoleAssignmentSpec(
                role_definition_id_or_name=role_id,
                custom_role=START_STOP_ROLE,
                principal_id=self.identity.principal_id,
                scope=props.cluster_id,
                description="Stop-when-idle Logic Apps: start and stop this cluster only."),
        }))
        self.workflows = {
            operation: self._workflow(operation, name, time, props)
            for operation, name, time in (("stop", props.stop_workflow_name, schedule.stop),
                                          ("start", props.start_workflow_name, schedule.start))
        }

    def _workflow(self, operation: str, name: str, time: str, props: ClusterStopScheduleProps) -> LogicAppWorkflow:
        construct_id = f"{operation.capitalize()}Workflow"
        minutes = minutes_of_day(f"stop_schedule.{operation}", time)
        workflow = LogicAppWorkflow(
            self,
            construct_id,
            name=name,
            location=props.location,
            resource_group_name=props.resource_group_name,
            identity=LogicAppWorkflowIdentity(type="UserAssigned", identity_ids=[self.identity.id]),
        )
        LogicAppTriggerRecurrence(
            self,
            f"{construct_id}Trigger",
            name=f"weekdays-{operation}",
            logic_app_id=workflow.id,
            frequency="Week",
            interval=1,
            time_zone=props.schedule.time_zone,
            schedule=LogicAppTriggerRecurrenceSchedule(
                on_these_days=list(props.schedule.days), at_these_hours=[minutes // 60],
                at_these_minutes=[minutes % 60]),
        )
        LogicAppActionCustom(
            self,
            f"{construct_id}Action",
            name=f"{operation}-cluster",
            logic_app_id=workflow.id,
            body=_action(operation, props.cluster_id, self.identity.id),
        )
        DiagnosticSettings(self, f"{construct_id}Diagnostics", DiagnosticSettingsProps(
            target=workflow, log_analytics_workspace_id=props.log_analytics_workspace_id))
        return workflow
