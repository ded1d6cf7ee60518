"""Default tags on every taggable resource, applied as a cdktf Aspect."""

from __future__ import annotations

from typing import Any

import jsii
from cdktf import IAspect, TerraformResource
from constructs import IConstruct

from constructs_lib.config.models import Environment


def default_tags(env: Environment) -> dict[str, str]:
    """Cloud Adoption Framework tags every resource of the environment carries."""
    return {
        "Environment": env.name,
        "WorkloadName": env.workload,
        "Owner": env.owner,
        "CostCenter": env.cost_center,
        "ManagedBy": "cdktf",
        **env.tags,
    }


@jsii.implements(IAspect)
class DefaultTags:
    """Merges the environment's tags under each resource's own tags (a resource's own win)."""

    def __init__(self, tags: dict[str, str]):
        self._tags = dict(tags)

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, TerraformResource) and hasattr(node, "tags_input"):
            # Every taggable azurerm resource class has `tags`/`tags_input`; TerraformResource does not.
            taggable: Any = node
            taggable.tags = {**self._tags, **(taggable.tags_input or {})}
