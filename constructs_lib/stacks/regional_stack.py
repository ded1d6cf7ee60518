"""Base of every stack: one environment, one region (or the whole environment), one concern."""

from __future__ import annotations

from cdktf import TerraformStack
from cdktf_cdktf_provider_azurerm.provider import (
    AzurermProvider,
    AzurermProviderFeatures,
)
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from constructs import Construct

from constructs_lib.config.models import Environment, Region
from constructs_lib.config.resource_names import EnvironmentNames, RegionNames
from constructs_lib.config.stack_plan import stack_name
from constructs_lib.stacks.backend import configure_backend

TERRAFORM_REQUIRED_VERSION = ">= 1.6.0, < 2.0.0"


def configure_stack(stack: TerraformStack, environment: Environment, region: str | None, kind: str, *,
                    features: AzurermProviderFeatures | None = None,
                    subscription_id: str | None = None) -> AzurermProvider:
    """The stack's azurerm provider, backend and Terraform pins (the same for every stack).
    `features` (default: none set) and `subscription_id` (default: the environment's) are for a
    stack that needs its own, as the bootstrap does."""
    if subscription_id is None and environment.subscription_id:
        subscription_id = str(environment.subscription_id)
    provider = AzurermProvider(
        stack,
        "azurerm",
        features=[features or AzurermProviderFeatures()],
        subscription_id=subscription_id,
        storage_use_azuread=True,
    )
    configure_backend(stack, environment, region, kind)
    # The prebuilt bindings write no required_version and a short provider source; the
    # Terraform team running plain `terraform init` needs both spelled out.
    stack.add_override("terraform.required_version", TERRAFORM_REQUIRED_VERSION)
    stack.add_override("terraform.required_providers.azurerm.source", "hashicorp/azurerm")
    return provider


class RegionalStack(TerraformStack):
    """Owns its azurerm provider and its backend; subclasses only compose constructs."""

    kind: str = ""

    def __init__(self, scope: Construct, environment: Environment, region: Region):
        super().__init__(scope, stack_name(environment.name, region.name, self.kind))
        self.environment = environment
        self.region = region
        self.names = RegionNames.of(environment, region)
        self.provider = configure_stack(self, environment, region.name, self.kind)

    def resource_group(self, name: str) -> ResourceGroup:
        """The stack's resource group (each stack owns exactly one)."""
        return ResourceGroup(self, "ResourceGroup", name=name, location=self.region.name)


class EnvironmentStack(TerraformStack):
    """A stack serving every region of one environment (`<env>-<kind>`): its own provider and
    backend (state key `<env>/<kind>.tfstate`); subclasses only compose constructs."""

    kind: str = ""

    def __init__(self, scope: Construct, environment: Environment):
        super().__init__(scope, stack_name(environment.name, None, self.kind))
        self.environment = environment
        self.names = EnvironmentNames.of(environment)
        self.region_names = {region.name: RegionNames.of(environment, region) for region in environment.regions}
        self.provider = configure_stack(self, environment, None, self.kind)
