"""Shared accessors of a construct whose primary resource is `self.resource` (ID "Resource")."""

from __future__ import annotations


class PrimaryResource:
    """Mixin: `id` and `name` of the construct's primary resource, as Terraform references."""

    resource: object

    @property
    def id(self) -> str:
        """Resource ID of the primary resource."""
        return self.resource.id  # type: ignore[attr-defined]

    @property
    def name(self) -> str:
        """Azure name of the primary resource."""
        return self.resource.name  # type: ignore[attr-defined]
