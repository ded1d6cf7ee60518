"""A user-assigned managed identity and the workload-identity federations that let Kubernetes
service accounts sign in as it (reference: `mi-<cluster>-controlplane`, `mi-appgateway-frontend`,
`podmi-ingress-controller` with its `ingress-controller` federation)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cdktf_cdktf_provider_azurerm.federated_identity_credential import (
    FederatedIdentityCredential,
)
from cdktf_cdktf_provider_azurerm.user_assigned_identity import UserAssignedIdentity
from constructs import Construct

from constructs_lib.config.patterns import DNS_LABEL, GITHUB_REPOSITORY
from constructs_lib.core.validation import is_token

TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
"""The audience Entra ID expects for federated tokens (Kubernetes workload identity and GitHub)."""
GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com"
"""Issuer of GitHub Actions OIDC tokens
(https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect)."""

_CREDENTIAL_NAME = re.compile(r"^[A-Za-z0-9][-_A-Za-z0-9]{2,119}$")
_SERVICE_ACCOUNT = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_GITHUB_ENVIRONMENT = re.compile(r"^[A-Za-z0-9._-]{1,255}$")


@dataclass(frozen=True)
class FederatedCredentialSpec:
    """Trust one Kubernetes service account of one cluster (OIDC issuer) to act as the identity."""

    name: str
    """Credential name: 3-120 letters, digits, - and _, starting with a letter or digit. Also the
    construct-ID key, so it must be a literal. Reference: `ingress-controller`."""
    issuer: str
    """The cluster's OIDC issuer URL (usually `KubernetesCluster.oidc_issuer_url`); a literal must
    be an https URL."""
    namespace: str
    """Namespace of the service account (DNS label). Reference: `a0008`."""
    service_account: str
    """Service account name (DNS subdomain). Reference: `traefik-ingress-controller`."""

    @property
    def subject(self) -> str:
        """`system:serviceaccount:<namespace>:<service account>`, the token's `sub` claim."""
        return f"system:serviceaccount:{self.namespace}:{self.service_account}"


@dataclass(frozen=True)
class GitHubFederatedCredentialSpec:
    """Trust the GitHub Actions jobs of one repository that run in one GitHub environment."""

    name: str
    """Credential name: 3-120 letters, digits, - and _ (a literal; also the construct-ID key)."""
    repository: str
    """`owner/name` of the repository (`config.patterns.GITHUB_REPOSITORY`)."""
    environment: str
    """GitHub environment the job references (`environment:` of the job): 1-255 letters, digits
    and ._-. Matching is exact and case-sensitive."""

    issuer = GITHUB_OIDC_ISSUER

    @property
    def subject(self) -> str:
        """`repo:<owner>/<name>:environment:<environment>`, the token's `sub` claim."""
        return f"repo:{self.repository}:environment:{self.environment}"


@dataclass(frozen=True)
class ManagedIdentityProps:
    """Inputs of a user-assigned managed identity."""

    name: str
    """Azure name of the identity (CAF prefix `id-`)."""
    location: str
    """Azure region."""
    resource_group_name: str
    """Resource group that holds the identity and its federated credentials."""
    federated_credentials: tuple[FederatedCredentialSpec | GitHubFederatedCredentialSpec, ...] = field(
        default_factory=tuple)
    """Workload-identity (Kubernetes service account) or GitHub Actions federations; empty by
    default (control-plane and App Gateway identities need none)."""


def _validate_credential(identity: str, index: int,
                         spec: FederatedCredentialSpec | GitHubFederatedCredentialSpec) -> None:
    where = f"{identity}: federated_credentials[{index}]"
    if is_token(spec.name) or not _CREDENTIAL_NAME.match(spec.name):
        raise ValueError(
            f"{where}.name: {spec.name!r} must be a literal of 3-120 letters, digits, - and _, "
            "starting with a letter or digit")
    if isinstance(spec, GitHubFederatedCredentialSpec):
        GITHUB_REPOSITORY.check(f"{where}.repository", spec.repository)
        if not _GITHUB_ENVIRONMENT.match(spec.environment):
            raise ValueError(f"{where}.environment: {spec.environment!r} must be 1-255 letters, digits "
                             "and ._-, for example prod-plan")
        return
    if not is_token(spec.issuer) and not spec.issuer.startswith("https://"):
        raise ValueError(f"{where}.issuer: {spec.issuer!r} must be an https URL (the cluster's OIDC issuer)")
    DNS_LABEL.check(f"{where}.namespace", spec.namespace)
    if not _SERVICE_ACCOUNT.match(spec.service_account):
        raise ValueError(
            f"{where}.service_account: {spec.service_account!r} is not a Kubernetes service account "
            "name (lowercase letters, digits, - and ., at most 253 characters)")


class ManagedIdentity(Construct):
    """`azurerm_user_assigned_identity` plus one `azurerm_federated_identity_credential` per spec
    (audience `api://AzureADTokenExchange`; subject `system:serviceaccount:<ns>:<sa>` for a
    Kubernetes service account, `repo:<owner>/<name>:environment:<env>` for GitHub)."""

    def __init__(self, scope: Construct, id: str, props: ManagedIdentityProps):
        super().__init__(scope, id)
        for index, spec in enumerate(props.federated_credentials):
            _validate_credential(props.name, index, spec)
        names = [spec.name for spec in props.federated_credentials]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"{props.name}: federated_credentials names must be unique; repeated: {', '.join(duplicates)}")
        subjects = [(spec.issuer, spec.subject) for spec in props.federated_credentials]
        if len(set(subjects)) != len(subjects):
            raise ValueError(
                f"{props.name}: federated_credentials must not repeat an issuer and subject pair "
                "(Entra ID rejects a second credential for the same service account)")
        self.resource = UserAssignedIdentity(
            self,
            "Resource",
            name=props.name,
            location=props.location,
            resource_group_name=props.resource_group_name,
        )
        self.federated_credentials: dict[str, FederatedIdentityCredential] = {
            spec.name: FederatedIdentityCredential(
                self,
                f"FederatedCredential-{spec.name}",
                name=spec.name,
                resource_group_name=props.resource_group_name,
                parent_id=self.resource.id,
                issuer=spec.issuer,
                subject=spec.subject,
                audience=[TOKEN_EXCHANGE_AUDIENCE],
            )
            for spec in props.federated_credentials
        }

    @property
    def id(self) -> str:
        """Resource ID of the identity."""
        return self.resource.id

    @property
    def principal_id(self) -> str:
        """Object ID of the identity's service principal (for role assignments)."""
        return self.resource.principal_id

    @property
    def client_id(self) -> str:
        """Application (client) ID (for `azure.workload.identity/client-id` annotations)."""
        return self.resource.client_id
