"""Values in an environment file that are still examples: fine to synthesize and test, wrong to
deploy. `make preflight` (`tools/preflight.py`) lists them and refuses while any remain.

What counts as an example value:
- a GUID of the form 00000000-0000-0000-0000-0000000000xx (the shipped files use these);
- Microsoft's own corporate tenant ID, which copied samples often carry;
- a name under a domain reserved or used for documentation (contoso.com, fabrikam.com, example.com,
  ...; RFC 2606 top-level domains .example, .test, .invalid);
- the remote-state storage accounts the shipped examples name (storage account names are global:
  someone else may own them).

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from constructs_lib.config.models import AzureRmState, Environment

MICROSOFT_TENANT = uuid.UUID("72f988bf-86f1-41af-91ab-2d7cd011db47")
_EXAMPLE_GUID = re.compile(r"^00000000-0000-0000-0000-0000000000[0-9a-f]{2}$")
EXAMPLE_DOMAINS = frozenset({
    "contoso.com", "fabrikam.com", "adatum.com", "northwindtraders.com", "wingtiptoys.com",
    "example.com", "example.org", "example.net"})
EXAMPLE_TLDS = frozenset({"example", "test", "invalid", "localhost"})
EXAMPLE_STATE_ACCOUNTS = frozenset({"sttfstatedevbu0001", "sttfstateprodbu0001"})
"""Storage accounts named by the shipped envs/*.yaml (a test keeps this in step with them)."""


@dataclass(frozen=True)
class Placeholder:
    """One value still to replace: where and why."""

    path: str
    value: str
    reason: str


def _example_guid(value: uuid.UUID) -> str | None:
    if _EXAMPLE_GUID.match(str(value)):
        return "an example GUID"
    if value == MICROSOFT_TENANT:
        return "Microsoft's own corporate tenant (from a sample)"
    return None


def example_domain(name: str) -> bool:
    """A DNS name (or the domain of an e-mail address or URL host) reserved or used for examples."""
    host = name.rsplit("@", 1)[-1].lower().rstrip(".")
    labels = host.split(".")
    return labels[-1] in EXAMPLE_TLDS or ".".join(labels[-2:]) in EXAMPLE_DOMAINS


def placeholders(env: Environment) -> list[Placeholder]:
    """Every example value in `env`, in file order."""
    found: list[Placeholder] = []

    def guid(path: str, value: uuid.UUID | None) -> None:
        reason = _example_guid(value) if value is not None else None
        if reason:
            found.append(Placeholder(path, str(value), reason))

    def domain(path: str, value: str) -> None:
        if example_domain(value):
            found.append(Placeholder(path, value, "a domain reserved for examples"))

    guid("subscription_id", env.subscription_id)
    if "@" in env.owner:
        domain("owner", env.owner)
    if isinstance(env.state, AzureRmState):
        if env.state.storage_account_name in EXAMPLE_STATE_ACCOUNTS:
            found.append(Placeholder("state.storage_account_name", env.state.storage_account_name,
                                     "the shipped example's state account (storage account names are global)"))
        guid("state.subscription_id", env.state.subscription_id)
        guid("state.tenant_id", env.state.tenant_id)
    guid("entra.tenant_id", env.entra.tenant_id)
    for index, group in enumerate(env.entra.cluster_admin_group_object_ids):
        guid(f"entra.cluster_admin_group_object_ids[{index}]", group)
    for index, group in enumerate(env.entra.namespace_reader_group_object_ids):
        guid(f"entra.namespace_reader_group_object_ids[{index}]", group)
    domain("ingress.domain", env.ingress.domain)
    for index, address in enumerate(env.monitoring.alert_emails):
        domain(f"monitoring.alert_emails[{index}]", address)
    if env.gitops.host == "github.com" and env.gitops.repository_url.split("/")[3].lower() == "contoso":
        found.append(Placeholder(
            "gitops.repository_url", env.gitops.repository_url,
            "the example organisation on GitHub; publish cluster-manifests/ to your own repository"))
    else:
        domain("gitops.repository_url", env.gitops.host)
    return found
