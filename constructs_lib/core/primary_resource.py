"""Shared accessors of a construct whose primary resource is `self.resource` (ID "Resource")."""

from __future__ import annotations

from typing import Any


class PrimaryResource:
    """Mixin: `id` and `name` of the construct's primary resource, as Terraform references."""

    resource: Any
    """The primary resource (a provider binding class; typed `Any` because the bindings are
    not type-checked, see pyproject.toml)."""

    @property
    def id(self) -> str:
        """Resource ID of the primary resource."""
        return str(self.resource.id)

    @property
    def name(self) -> str:
        """Azure name of the primary resource."""
        return str(self.resource.name)
