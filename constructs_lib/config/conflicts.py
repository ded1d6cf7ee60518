"""Values two environments of one envs/ folder must not share.

Every Azure name the stacks derive contains the environment's name, so a copied environment file
(README "Adding an environment") gets names of its own. A copy keeps, though, the values taken
from the file as they are, and three of them must differ per environment:

- the public host name `<ingress.public_host>.<ingress.domain>`: both environments' App Gateway
  listeners (and Front Door custom domains) would answer for it, and its DNS record can point at
  only one of them;
- `state.storage_account_name`: each environment's bootstrap stack creates its state account, and
  a storage account name is unique across Azure;
- `state.resource_group_name` in the same subscription: each bootstrap stack creates that group.

`make preflight` counts each as an open item of both environments; a synth warns. Address plans
that overlap are only a note (`advisories.cross_environment_advisories`): separate environments
that are never peered may reuse them.

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from constructs_lib.config.models import AzureRmState, Environment


@dataclass(frozen=True)
class Conflict:
    """A value `environment` shares with `other` although it must be its own."""

    environment: str
    path: str
    """Field path in the environment file, e.g. `ingress.public_host`."""
    value: str
    other: str
    """The other environment's name."""
    why: str
    """What goes wrong, and the fix (plain words, with an example)."""

    @property
    def detail(self) -> str:
        """The conflict without the environment's name in front."""
        return f"{self.path}: {self.value} is also {self.other}'s; {self.why}"

    def __str__(self) -> str:
        return f"{self.environment}: {self.detail}"


def _state_subscription(env: Environment) -> str | None:
    """Where the bootstrap stack creates the state account (None: the subscription the login's
    ARM_SUBSCRIPTION_ID names)."""
    state = env.state
    assert isinstance(state, AzureRmState)
    chosen = state.subscription_id or env.subscription_id
    return str(chosen) if chosen else None


def _between(env: Environment, other: Environment) -> list[Conflict]:
    found = []
    if env.ingress.public_fqdn == other.ingress.public_fqdn:
        host = env.ingress.public_host
        own = f"{host.removesuffix(f'-{other.name}')}-{env.name}"
        front_door = " and Front Door custom domains" if env.front_door_enabled or other.front_door_enabled else ""
        found.append(Conflict(env.name, "ingress.public_host", host, other.name, (
            f"the App Gateway listeners{front_door} of both environments would answer for "
            f"{env.ingress.public_fqdn}, and its DNS record can point at only one of them; give each environment "
            f"its own host, e.g. public_host: {own}")))
    if isinstance(env.state, AzureRmState) and isinstance(other.state, AzureRmState):
        if env.state.storage_account_name == other.state.storage_account_name:
            found.append(Conflict(env.name, "state.storage_account_name", env.state.storage_account_name, other.name, (
                "each environment's bootstrap stack creates its own state account, and a storage account name is "
                f"unique across Azure; choose another, 3-24 lowercase letters and digits, e.g. sttfstate{env.name}")))
        subscription = _state_subscription(env)
        if (env.state.resource_group_name == other.state.resource_group_name
                and subscription == _state_subscription(other)):
            where = f"subscription {subscription}" if subscription else "the subscription ARM_SUBSCRIPTION_ID names"
            found.append(Conflict(env.name, "state.resource_group_name", env.state.resource_group_name, other.name, (
                f"each environment's bootstrap stack creates this resource group, both in {where}, so the second "
                f"apply fails; choose another, e.g. rg-tfstate-{env.name}")))
    return found


def conflicts(environments: Sequence[Environment], about: Collection[str] | None = None) -> list[Conflict]:
    """Every value an environment shares with another one of `environments` although it must be its
    own, seen from each environment of `about` (names; default: every one), in the order given."""
    return [conflict for env in environments if about is None or env.name in about
            for other in environments if other.name != env.name for conflict in _between(env, other)]
