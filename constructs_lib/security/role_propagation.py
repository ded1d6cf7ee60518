"""A wait between role assignments and their first use in the same `terraform apply`.

Azure RBAC changes "can take up to 10 minutes to take effect"
(https://learn.microsoft.com/azure/role-based-access-control/troubleshooting); a Key Vault
certificate, an App Gateway reading its certificate, or an AKS control plane joining its subnets
right after the grant fails with 403 and the first apply needs a re-run. A `time_sleep`
(hashicorp/time, through its prebuilt binding) that depends on the assignments and is depended
on by their consumers closes that gap, as the Azure Verified Modules Key Vault module does
(`time_sleep.wait_for_rbac_before_*`). Its triggers are the assignments' IDs, so a new or
re-created assignment waits again. The stack must declare a `TimeProvider`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cdktf import ITerraformDependable, TerraformResource
from cdktf_cdktf_provider_time.sleep import Sleep
from constructs import Construct

from constructs_lib.config.rules import ROLE_PROPAGATION_SECONDS


@dataclass(frozen=True)
class RolePropagationWaitProps:
    """What to wait for, and how long."""

    assignments: Mapping[str, TerraformResource]
    """Key -> `azurerm_role_assignment` (or anything with an `id`) the consumers need; at least one,
    else ValueError."""
    seconds: int = 120
    """Wait after the last of them is created, 0-1800 seconds (`config.rules.ROLE_PROPAGATION_SECONDS`).
    Default 120; 0 emits no wait and the consumers depend on the assignments directly."""


class RolePropagationWait(Construct):
    """`time_sleep` (ID `Resource`) after a set of role assignments; use `dependables` in the
    consumers' `depends_on`."""

    def __init__(self, scope: Construct, id: str, props: RolePropagationWaitProps):
        super().__init__(scope, id)
        if not props.assignments:
            raise ValueError(f"{id}: a role propagation wait needs at least one role assignment to wait for")
        low, high = ROLE_PROPAGATION_SECONDS
        if not low <= props.seconds <= high:
            raise ValueError(f"{id}: seconds {props.seconds} is outside {low}-{high}")
        self._assignments: tuple[ITerraformDependable, ...] = tuple(props.assignments.values())
        self.resource = Sleep(
            self, "Resource",
            create_duration=f"{props.seconds}s",
            triggers={key: assignment.get_string_attribute("id")
                      for key, assignment in sorted(props.assignments.items())},
            depends_on=list(self._assignments),
        ) if props.seconds else None

    @property
    def dependables(self) -> Sequence[ITerraformDependable]:
        """What a consumer's `depends_on` lists: the wait, or the assignments when there is none."""
        return (self.resource,) if self.resource is not None else self._assignments
