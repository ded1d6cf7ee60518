"""What the target subscription must offer before the first stack of an environment applies:
resource providers registered and preview features enabled. Derived from the environment (an
add-on that is off needs nothing), checked by `make preflight` with the Azure CLI.

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs_lib.config.models import Environment


@dataclass(frozen=True)
class Requirement:
    """A resource provider (`feature` empty) or a feature of one, and why the stacks need it."""

    namespace: str
    feature: str
    why: str

    @property
    def label(self) -> str:
        return f"feature {self.namespace}/{self.feature}" if self.feature else f"resource provider {self.namespace}"

    def show_command(self) -> list[str]:
        """The `az` command that shows the registration state."""
        if self.feature:
            return ["az", "feature", "show", "--namespace", self.namespace, "--name", self.feature,
                    "--query", "properties.state"]
        return ["az", "provider", "show", "--namespace", self.namespace, "--query", "registrationState"]

    def check_command(self, subscription: str | None) -> list[str]:
        """The `az` command whose output is `Registered` when the requirement holds."""
        where = ["--subscription", subscription] if subscription else []
        return [*self.show_command(), "-o", "tsv", *where]

    def register_commands(self) -> tuple[str, ...]:
        """The commands that make it hold: a feature's registration, then its provider's
        re-registration (which makes the feature take effect), or the provider's registration."""
        provider = f"az provider register --namespace {self.namespace}"
        if self.feature:
            return (f"az feature register --namespace {self.namespace} --name {self.feature}", provider)
        return (provider,)

    def fix_command(self) -> str:
        return " && ".join(self.register_commands())


ENCRYPTION_AT_HOST = Requirement("Microsoft.Compute", "EncryptionAtHost", "node pools use encryption at host "
                                 "(https://learn.microsoft.com/azure/aks/enable-host-encryption)")
"""The subscription feature the node pools' encryption at host needs."""


def subscription_requirements(env: Environment) -> list[Requirement]:
    """Every provider and feature registration the environment's stacks need, sorted."""
    add_ons = env.cluster.add_ons
    needed = [
        Requirement("Microsoft.Network", "", "VNets, firewall, Bastion, App Gateway, private endpoints and DNS"),
        Requirement("Microsoft.ContainerService", "", "the AKS cluster"),
        Requirement("Microsoft.ContainerRegistry", "", "the container registry"),
        Requirement("Microsoft.KeyVault", "", "the Key Vault and its certificates"),
        Requirement("Microsoft.ManagedIdentity", "", "user-assigned identities and federated credentials"),
        Requirement("Microsoft.OperationalInsights", "", "Log Analytics workspaces"),
        Requirement("Microsoft.Insights", "", "diagnostic settings, data collection rules, alerts"),
        Requirement("Microsoft.KubernetesConfiguration", "", "the Flux extension (GitOps)"),
        Requirement("Microsoft.PolicyInsights", "", "the Azure Policy add-on and its assignments"),
        Requirement("Microsoft.Consumption", "", "the budget"),
        ENCRYPTION_AT_HOST,
    ]
    if env.front_door_enabled:
        needed.append(Requirement("Microsoft.Cdn", "", "Azure Front Door Premium (the global entry)"))
    if env.cluster.stop_schedule is not None:
        needed.append(Requirement("Microsoft.Logic", "", "the Logic Apps that stop and start the cluster"))
    if add_ons.managed_prometheus:
        needed += [Requirement("Microsoft.Monitor", "", "the Azure Monitor workspace (managed Prometheus)"),
                   Requirement("Microsoft.AlertsManagement", "", "Prometheus rule groups")]
    if add_ons.defender:
        needed.append(Requirement("Microsoft.Security", "", "Microsoft Defender for Containers"))
    if env.state.backend == "azurerm":
        needed.append(Requirement("Microsoft.Storage", "", "the remote-state storage account"))
    return sorted(needed, key=lambda r: (r.namespace, r.feature))
