"""The two azapi pieces this project needs, declared without a provider binding.

There is no prebuilt cdktf binding for the `Azure/azapi` provider, so its provider block and
`azapi_update_resource` are written through cdktf's generic `TerraformProvider` /
`TerraformResource` with `add_override` (the escape hatch, kept to this one module). They exist
for one job the azurerm provider cannot do: a Kubernetes minor upgrade of a cluster whose
versions azurerm must ignore because AKS applies patches itself
(hashicorp/terraform-provider-azurerm#26946), as the Azure Verified Modules AKS modules do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdktf import (
    ITerraformDependable,
    TerraformProvider,
    TerraformProviderGeneratorMetadata,
    TerraformResource,
    TerraformResourceLifecycle,
)
from constructs import Construct

AZAPI_SOURCE = "Azure/azapi"
AZAPI_VERSION = "~> 2.4"
"""azapi 2.x: `body` is an object (as the AVM modules declare it, `~> 2.4`)."""
CONTAINER_SERVICE_API = "2024-02-01"
"""Microsoft.ContainerService API version of the version updates (the AVM AKS pattern module's)."""

_METADATA = TerraformProviderGeneratorMetadata(provider_name="azapi", provider_version=AZAPI_VERSION)


class AzapiProvider(TerraformProvider):
    """`provider "azapi" {}`: authenticates like azurerm (Azure CLI, OIDC, managed identity).
    Stacks declare it (constructs never create providers)."""

    def __init__(self, scope: Construct, id: str = "azapi"):
        super().__init__(scope, id, terraform_resource_type="azapi", terraform_generator_metadata=_METADATA,
                         terraform_provider_source=AZAPI_SOURCE)


class AzapiUpdateResource(TerraformResource):
    """`azapi_update_resource`: sets `body` on an existing resource of `type` (`<type>@<api
    version>`) at `resource_id`. Destroying it changes nothing in Azure."""

    def __init__(self, scope: Construct, id: str, *, type: str, resource_id: str, body: Mapping[str, Any],
                 depends_on: Sequence[ITerraformDependable] = (),
                 lifecycle: TerraformResourceLifecycle | None = None):
        super().__init__(scope, id, terraform_resource_type="azapi_update_resource",
                         terraform_generator_metadata=_METADATA, depends_on=list(depends_on) or None,
                         lifecycle=lifecycle)
        self.add_override("type", type)
        self.add_override("resource_id", resource_id)
        self.add_override("body", dict(body))
