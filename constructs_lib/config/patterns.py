"""Every text pattern this project checks, defined once.

The environment model (pydantic `Field(pattern=...)`, so editors see the pattern in the JSON
Schema) and the constructs (`Pattern.check`, for callers without the model) both use these
objects; the loader turns a pydantic pattern mismatch back into the pattern's words through
`describe_regex`, so no message ever shows a regular expression.

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field

import yaml


@dataclass(frozen=True)
class Pattern:
    """A named text rule: the regular expression, what it means in words, and a valid example."""

    regex: str
    """Anchored regular expression (`^...$`), as pydantic and the JSON Schema take it."""
    description: str
    """The rule in words, completing "must be ...", e.g. `a DNS label: 1-63 lowercase letters,
    digits and hyphens, not starting or ending with a hyphen`."""
    example: str
    """A value that matches, shown in messages."""
    max_length: int | None = None
    """Longest allowed value, checked apart from the expression (pydantic's regex engine has no
    look-ahead to express it)."""
    flags: int = 0
    compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", re.compile(self.regex, self.flags))
        if not self.compiled.match(self.example):
            raise AssertionError(f"example {self.example!r} does not match {self.regex}")
        _REGISTRY[self.regex] = self

    def matches(self, value: object) -> bool:
        """True when `value` is a string of this form."""
        return (isinstance(value, str) and self.compiled.match(value) is not None
                and (self.max_length is None or len(value) <= self.max_length))

    def message(self, value: object, example: str | None = None) -> str:
        """Why `value` is refused, in words, with an example (`example`, default this pattern's) as
        it is written in YAML: quoted when YAML would read it as something else (`"21:00"`)."""
        shown = as_yaml(self.example if example is None else example)
        if self.description.endswith(")"):
            return f"{value!r} is not {self.description}; for example {shown}"
        return f"{value!r} is not {self.description} (for example {shown})"

    def check(self, field_name: str, value: object) -> None:
        """Raise ValueError naming `field_name` when `value` does not match."""
        if not self.matches(value):
            raise ValueError(f"{field_name}: {self.message(value)}")


_REGISTRY: dict[str, Pattern] = {}


_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when the wheel has it; the (Python) resolvers, and so the result, are the same."""


@functools.lru_cache(maxsize=4096)
def as_yaml(text: str) -> str:
    """`text` as it must be written in a YAML file to be read back as this text: plain when YAML
    reads it so, else in double quotes (`21:00` is the number 1260 to YAML 1.1, `1.35` a number).
    Cached: a file with thousands of problems asks for the same few choices thousands of times."""
    try:
        plain = yaml.load(text, Loader=_YAML_LOADER) == text and "#" not in text and ": " not in text
    except yaml.YAMLError:
        plain = False
    return text if plain else json.dumps(text)


def kind_of(value: object) -> str:
    """What a YAML value is, in the words of the file ("a number", "a list", "null")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (YAML reads yes/no/on/off as booleans)"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}" if len(value) <= 80 else "a long text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another kind"


def describe_regex(regex: str) -> Pattern | None:
    """The Pattern behind a regular expression (for turning pydantic's pattern errors into words)."""
    return _REGISTRY.get(regex)


_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"

DNS_LABEL = Pattern(
    rf"^{_LABEL}$",
    "a DNS label: 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen",
    "a0008")
"""A lowercase DNS label (RFC 1123); also a Kubernetes namespace name."""

DNS_NAME = Pattern(
    rf"^({_LABEL}\.)+[a-z]{{2,63}}$",
    "a lowercase DNS name: dot-separated labels of letters, digits and hyphens ending in a "
    "top-level domain of letters, at most 253 characters",
    "contoso.com", max_length=253)
"""A lowercase fully qualified DNS name ending in an alphabetic top-level label."""

DNS_ZONE_NAME = Pattern(
    rf"^({_LABEL}\.)+{_LABEL}$",
    "a DNS zone name: at least two lowercase labels, at most 253 characters",
    "privatelink.azurecr.io", max_length=253)
"""A private DNS zone (its last label may contain digits, e.g. `privatelink.eastus2.azmk8s.io`)."""

DNS_RELATIVE_NAME = Pattern(
    rf"^{_LABEL}(\.{_LABEL})*$",
    "a record name relative to its zone: lowercase labels of letters, digits and hyphens",
    "bu0001a0008-00")
"""A record name relative to its zone."""

GUID = Pattern(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "a GUID: 8-4-4-4-12 hexadecimal digits",
    "00000000-0000-0000-0000-000000000000")
"""Tenant, subscription, object and group IDs."""

EMAIL = Pattern(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?"
    r"(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)+$",
    "an e-mail address: local part @ dotted domain",
    "aks-ops@contoso.com")
"""A plain e-mail address, as Azure Monitor accepts it."""

ENVIRONMENT_NAME = Pattern(
    r"^[a-z][a-z0-9]{1,7}$",
    "an environment name: 2-8 lowercase letters and digits, starting with a letter",
    "staging")

NAME_SUFFIX = Pattern(
    r"^[a-z0-9]{1,12}$",
    "a name suffix: 1-12 lowercase letters and digits",
    "contoso01")

WORKLOAD_NAME = Pattern(
    r"^[a-z][a-z0-9]{2,11}$",
    "a workload name: 3-12 lowercase letters and digits, starting with a letter",
    "bu0001a0008")

NODE_POOL_NAME = Pattern(
    r"^[a-z][a-z0-9]{0,11}$",
    "a node pool name: 1-12 lowercase letters and digits, starting with a letter (Azure's rule for Linux pools)",
    "npuser01")

VM_SIZE = Pattern(
    r"^Standard_[A-Za-z0-9_]+$",
    "an Azure VM size name: Standard_ followed by the size",
    "Standard_D4d_v5")

MAX_SURGE = Pattern(
    r"^([1-9][0-9]?%|100%|[1-9][0-9]*)$",
    "a surge: a percentage of the pool from 1% to 100%, or a whole number of nodes",
    "33%")

TIME_OF_DAY = Pattern(
    r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
    "a 24-hour time: HH:MM",
    "21:00")

KUBERNETES_VERSION = Pattern(
    r"^1\.[0-9]{2}(\.[0-9]+)?$",
    "a Kubernetes version: major.minor (or major.minor.patch without the patch channel), quoted in YAML",
    "1.35")

FIRST_OF_MONTH = Pattern(
    r"^20[2-9][0-9]-(0[1-9]|1[0-2])-01$",
    "the first day of a month: YYYY-MM-01, quoted in YAML",
    "2026-12-01")

IMAGE_REFERENCE = Pattern(
    r"^[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?$",
    "an image reference: repository:tag inside the environment's registry, optionally @sha256:<digest>",
    "dotnet/samples:aspnetapp-9.0")

GIT_HTTPS_URL = Pattern(
    r"^https://[a-z0-9.-]+\.[a-z]{2,}(/[A-Za-z0-9._~-]+)+$",
    "a Git repository URL: https://<host>/<path>",
    "https://github.com/contoso/aks-baseline-cdktf")

GIT_BRANCH = Pattern(
    r"^[A-Za-z0-9._/-]{1,200}$",
    "a branch name: 1-200 letters, digits and ._/-",
    "main")

REPOSITORY_PATH = Pattern(
    r"^\./[A-Za-z0-9._/-]*$",
    "a folder relative to the repository root: ./ followed by letters, digits and ._/-",
    "./cluster-manifests")

URL_PATH = Pattern(
    r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,259}$",
    "a URL path: / followed by at most 259 letters, digits and ._~!$&'()*+,;=:@%/-",
    "/favicon.ico")
"""A request path (health probes)."""

KEY_VAULT_OBJECT_NAME = Pattern(
    r"^[0-9A-Za-z-]{1,127}$",
    "a Key Vault object or issuer name: 1-127 letters, digits and hyphens",
    "appgw-listener-tls")

RESOURCE_GROUP_NAME = Pattern(
    r"^[-\w.()]{1,89}[-\w()]$",
    "a resource group name: 1-90 letters, digits and -_.(), not ending with a period",
    "rg-tfstate-dev")

STORAGE_ACCOUNT_NAME = Pattern(
    r"^[a-z0-9]{3,24}$",
    "a storage account name: 3-24 lowercase letters and digits",
    "sttfstatedev")

BLOB_CONTAINER_NAME = Pattern(
    r"^[a-z0-9]([a-z0-9]|-[a-z0-9]){2,62}$",
    "a blob container name: 3-63 lowercase letters, digits and single hyphens",
    "tfstate")

KUBERNETES_CLUSTER_NAME = Pattern(
    r"^[A-Za-z0-9][-_A-Za-z0-9]{0,61}[A-Za-z0-9]$",
    "an AKS cluster name: 2-63 letters, digits, - and _, starting and ending with a letter or digit",
    "aks-bu0001a0008-dev-eastus2")

AZURE_SUBNET_NAME = Pattern(
    r"^[A-Za-z0-9][-\w.]{0,78}\w$",
    "a subnet name: 2-80 letters, digits and -_., ending with a letter, digit or _",
    "snet-clusteringressservices")

KEY_VAULT_NAME = Pattern(
    r"^[a-zA-Z](-?[a-zA-Z0-9]){2,23}$",
    "a key vault name: 3-24 letters, digits and single hyphens, starting with a letter and not "
    "ending with a hyphen",
    "kv-bu0001a0008-dev", max_length=24)

REGISTRY_LOGIN_SERVER = Pattern(
    r"^[a-z0-9]{5,50}(-[a-z0-9]+)?\.azurecr\.io$",
    "a registry login server: <5-50 lowercase letters and digits>.azurecr.io",
    "crbu0001a0008.azurecr.io")

GITHUB_REPOSITORY = Pattern(
    r"^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}/[A-Za-z0-9._-]{1,100}$",
    "a GitHub repository: owner/name, the owner 1-39 letters, digits and single hyphens, the name "
    "1-100 letters, digits and ._-",
    "contoso/aks-baseline-cdktf")
"""`owner/name` of a GitHub repository (the `repo:` part of a GitHub OIDC token's subject)."""

HCP_ORGANIZATION = Pattern(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
    "an HCP Terraform organization name: 1-40 letters, digits, - and _, starting with a letter or digit",
    "contoso")
"""An HCP Terraform / Terraform Enterprise organization."""

HCP_PROJECT = Pattern(
    r"^[A-Za-z0-9_-][A-Za-z0-9 _-]{0,39}$",
    "an HCP Terraform project name: 1-40 letters, digits, spaces, - and _",
    "aks-baseline")
"""An HCP Terraform / Terraform Enterprise project (it must exist already)."""

WORKSPACE_NAME_PATTERN = Pattern(
    r"^[A-Za-z0-9_-]*\{stack\}[A-Za-z0-9_-]*$",
    "a workspace name pattern: letters, digits, - and _ around exactly one {stack} placeholder "
    "(replaced by each stack's name)",
    "aks-baseline-{stack}")
"""How each stack's HCP Terraform workspace is named; `{stack}` makes each name unique."""

CONSTRUCT_KEY = Pattern(
    r"^[A-Za-z][A-Za-z0-9-]{0,79}$",
    "a key: a literal of 1-80 letters, digits and -, starting with a letter",
    "cp-nodes-network")
"""Keys that become construct IDs (static, never tokens)."""
