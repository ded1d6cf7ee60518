"""Typed environment configuration: one `Environment` per `envs/<env>.yaml`.

Every model forbids unknown keys and is immutable. Field-level rules (types, ranges, name
charsets) live here; rules that relate several fields of the address plan live in
`address_plan.py` and run right after parsing, still before any construct exists.
Defaults mirror the mspnp/aks-baseline reference implementation.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from typing import Annotated, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    field_validator,
    model_validator,
)

from constructs_lib.config.regions import (
    ALL_REGIONS,
    REGION_PAIRS,
    ZONE_REDUNDANT_REGIONS,
)

Zone = Literal["1", "2", "3"]
# A lowercase slug that is safe inside every Azure resource name this project derives.
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]*$")]


class StrictModel(BaseModel):
    """Base for all configuration models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


def _network(value: object) -> ipaddress.IPv4Network:
    if not isinstance(value, str):
        raise ValueError(f"expected a CIDR string such as 10.240.0.0/16, got {type(value).__name__}")
    if "/" not in value:
        raise ValueError(f"{value!r} has no prefix length; write a CIDR such as {value}/24")
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a valid IPv4 CIDR ({error})") from None


def _address(value: object) -> ipaddress.IPv4Address:
    if not isinstance(value, str):
        raise ValueError(f"expected an IPv4 address such as 10.240.4.4, got {type(value).__name__}")
    try:
        return ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid IPv4 address") from None


class HubSubnets(StrictModel):
    """Hub subnets; Azure fixes their names (AzureFirewallSubnet, GatewaySubnet, AzureBastionSubnet)."""

    firewall: ipaddress.IPv4Network
    """AzureFirewallSubnet. Azure requires /26 or larger."""
    gateway: ipaddress.IPv4Network
    """GatewaySubnet, reserved for a VPN/ExpressRoute gateway. Azure recommends /27 or larger."""
    bastion: ipaddress.IPv4Network
    """AzureBastionSubnet. Azure requires /26 or larger."""

    _parse = field_validator("firewall", "gateway", "bastion", mode="before")(
        lambda cls, v: _network(v)
    )


class HubNetwork(StrictModel):
    """Address plan of one regional hub virtual network."""

    address_space: ipaddress.IPv4Network
    """The hub VNet range. Reference: 10.200.0.0/24."""
    subnets: HubSubnets

    _parse = field_validator("address_space", mode="before")(lambda cls, v: _network(v))


class SpokeSubnets(StrictModel):
    """Spoke subnets for the cluster and its ingress path."""

    nodes: ipaddress.IPv4Network
    """Node pools (system and user). Reference: 10.240.0.0/22."""
    ingress: ipaddress.IPv4Network
    """Internal load balancers of the ingress controller. Reference: 10.240.4.0/28."""
    private_endpoints: ipaddress.IPv4Network
    """Private endpoints of the registry and key vault. Reference: 10.240.4.32/28."""
    app_gateway: ipaddress.IPv4Network
    """Application Gateway (dedicated). Reference: 10.240.5.0/24."""
    api_server: ipaddress.IPv4Network
    """API server VNet integration, delegated to AKS. Reference: 10.240.7.0/28."""

    _parse = field_validator(
        "nodes", "ingress", "private_endpoints", "app_gateway", "api_server", mode="before"
    )(lambda cls, v: _network(v))


class SpokeNetwork(StrictModel):
    """Address plan of one regional spoke virtual network."""

    address_space: ipaddress.IPv4Network
    """The spoke VNet range. Reference: 10.240.0.0/16."""
    subnets: SpokeSubnets
    ingress_load_balancer_ip: ipaddress.IPv4Address
    """Static private IP of the ingress controller's internal load balancer, inside `subnets.ingress`.
    Reference: 10.240.4.4."""

    _parse_space = field_validator("address_space", mode="before")(lambda cls, v: _network(v))
    _parse_ip = field_validator("ingress_load_balancer_ip", mode="before")(lambda cls, v: _address(v))


class Region(StrictModel):
    """One deployment region: a hub, a spoke and (later) a cluster and its workload."""

    name: str
    """Azure region name in its short form, for example `eastus2`."""
    zones: tuple[Zone, ...] = ("1", "2", "3")
    """Availability zones used by the firewall, public IPs, gateway and node pools."""
    hub: HubNetwork
    spoke: SpokeNetwork

    @field_validator("name")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in ALL_REGIONS:
            raise ValueError(
                f"{value!r} is not an Azure region name; use the short form such as eastus2, "
                "westeurope or centralus"
            )
        return value

    @field_validator("zones", mode="before")
    @classmethod
    def _zones_as_text(cls, value: object) -> object:
        # `zones: [1, 2, 3]` is the natural way to write it; Azure's API takes strings.
        if isinstance(value, (list, tuple)):
            return [str(z) if isinstance(z, int) and not isinstance(z, bool) else z for z in value]
        return value

    @field_validator("zones")
    @classmethod
    def _distinct_zones(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError(f"zones must be distinct, got {list(value)}")
        return tuple(sorted(value))

    @model_validator(mode="after")
    def _zones_supported(self) -> "Region":
        if self.zones and self.name not in ZONE_REDUNDANT_REGIONS:
            raise ValueError(
                f"zones: region {self.name} has no availability zones; set zones: [] "
                "or choose a zone-redundant region"
            )
        return self


class AzureRmState(StrictModel):
    """Remote state in an Azure Storage blob container, authenticated with Entra ID only."""

    backend: Literal["azurerm"]
    resource_group_name: Annotated[str, Field(pattern=r"^[-\w.()]{1,89}[-\w()]$")]
    storage_account_name: Annotated[str, Field(pattern=r"^[a-z0-9]{3,24}$")]
    """Globally unique storage account: 3-24 lowercase letters and digits."""
    container_name: Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9]|-[a-z0-9]){2,62}$")]
    """Blob container: 3-63 lowercase letters, digits and single hyphens."""
    subscription_id: uuid.UUID | None = None
    """Subscription of the state storage account; defaults to the provider's subscription."""
    tenant_id: uuid.UUID | None = None


class LocalState(StrictModel):
    """Local state files for a sandbox, kept under `terraform-state/` beside `cdktf.out/`."""

    backend: Literal["local"] = "local"


StateBackend = Annotated[Union[AzureRmState, LocalState], Field(discriminator="backend")]


class NodePool(StrictModel):
    """An AKS node pool. Defaults are the reference's user pool `npuser01`."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{0,11}$")]
    """Pool name: lowercase letters and digits, at most 12 characters (Azure's Linux pool rule)."""
    vm_size: Annotated[str, Field(pattern=r"^Standard_[A-Za-z0-9_]+$")] = "Standard_D4d_v5"
    min_count: Annotated[StrictInt, Field(ge=1, le=1000)] = 2
    """Autoscaler minimum. AKS allows 1-1000 nodes per pool."""
    max_count: Annotated[StrictInt, Field(ge=1, le=1000)] = 5
    """Autoscaler maximum. AKS allows 1-1000 nodes per pool."""
    os_disk_size_gb: Annotated[StrictInt, Field(ge=30, le=2048)] = 120
    """Ephemeral OS disk size; it must fit the VM size's cache or temp disk."""
    max_pods: Annotated[StrictInt, Field(ge=10, le=250)] = 30
    """Pods per node; AKS allows 10-250. The reference keeps the default 30."""
    max_surge: Annotated[str, Field(pattern=r"^([1-9][0-9]?%|100%|[1-9][0-9]*)$")] = "33%"
    """Extra nodes during an upgrade: a percentage of the pool (`33%`) or a node count (`2`)."""

    @model_validator(mode="after")
    def _min_not_above_max(self) -> "NodePool":
        if self.min_count > self.max_count:
            raise ValueError(
                f"min_count ({self.min_count}) must not exceed max_count ({self.max_count})"
            )
        return self

    def surge_nodes(self) -> int:
        """Nodes added at most during an upgrade, computed the way AKS rounds (up)."""
        if self.max_surge.endswith("%"):
            percent = int(self.max_surge[:-1])
            return max(1, -(-self.max_count * percent // 100))
        return int(self.max_surge)


class SystemNodePool(NodePool):
    """The system pool: critical add-ons only. Reference: 3-4 x Standard_D2d_v5, 64 GB ephemeral."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{0,11}$")] = "npsystem"
    vm_size: Annotated[str, Field(pattern=r"^Standard_[A-Za-z0-9_]+$")] = "Standard_D2d_v5"
    min_count: Annotated[StrictInt, Field(ge=1, le=1000)] = 3
    max_count: Annotated[StrictInt, Field(ge=1, le=1000)] = 4
    os_disk_size_gb: Annotated[StrictInt, Field(ge=30, le=2048)] = 64


class UserNodePool(NodePool):
    """The workload pool. Reference: `npuser01`, 2-5 x Standard_D4d_v5, 120 GB ephemeral."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{0,11}$")] = "npuser01"


class ClusterNetwork(StrictModel):
    """Pod networking. Overlay keeps pod IPs out of the VNet; flat gives every pod a subnet IP."""

    plugin_mode: Literal["overlay", "flat"] = "overlay"
    """`overlay` (Azure CNI Overlay, reference default) or `flat` (classic Azure CNI)."""
    pod_cidr: ipaddress.IPv4Network | None = None
    """Overlay pod range; must not overlap any VNet. Default 192.168.0.0/16. Not allowed for flat."""
    service_cidr: ipaddress.IPv4Network = ipaddress.IPv4Network("172.16.0.0/16")
    """Kubernetes service range; must not overlap any VNet or the pod range."""
    dns_service_ip: ipaddress.IPv4Address = ipaddress.IPv4Address("172.16.0.10")
    """Cluster DNS service IP, inside `service_cidr`."""

    _parse_nets = field_validator("pod_cidr", "service_cidr", mode="before")(
        lambda cls, v: v if v is None or isinstance(v, ipaddress.IPv4Network) else _network(v)
    )
    _parse_ip = field_validator("dns_service_ip", mode="before")(
        lambda cls, v: v if isinstance(v, ipaddress.IPv4Address) else _address(v)
    )

    @model_validator(mode="after")
    def _pod_cidr_matches_mode(self) -> "ClusterNetwork":
        if self.plugin_mode == "flat" and self.pod_cidr is not None:
            raise ValueError(
                "pod_cidr: flat Azure CNI gives pods addresses from the node subnet; "
                "remove pod_cidr or use plugin_mode: overlay"
            )
        if self.dns_service_ip not in self.service_cidr:
            raise ValueError(
                f"dns_service_ip: {self.dns_service_ip} is outside service_cidr {self.service_cidr}"
            )
        if self.dns_service_ip in (self.service_cidr.network_address,
                                   self.service_cidr.broadcast_address):
            raise ValueError(f"dns_service_ip: {self.dns_service_ip} is not a usable host address")
        return self

    @property
    def overlay_pod_cidr(self) -> ipaddress.IPv4Network | None:
        """The overlay pod range in effect (192.168.0.0/16 unless set); None for flat CNI."""
        if self.plugin_mode == "flat":
            return None
        return self.pod_cidr or ipaddress.IPv4Network("192.168.0.0/16")


Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class MaintenanceWindow(StrictModel):
    """Weekly window for node-image and patch upgrades (UTC)."""

    day: Weekday = "Tuesday"
    """Reference: Tuesday."""
    start: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")] = "21:00"
    """HH:MM UTC. Reference: 21:00."""
    duration_hours: Annotated[StrictInt, Field(ge=4, le=24)] = 12
    """AKS requires at least 4 hours. Reference: 12."""


class Cluster(StrictModel):
    """AKS settings shared by every region of the environment."""

    kubernetes_version: Annotated[str, Field(pattern=r"^1\.[0-9]{2}\.[0-9]+$")] = "1.35.0"
    """Pinned Kubernetes version (major.minor.patch); the reference pins 1.35.0."""
    sku_tier: Literal["Standard", "Premium"] = "Standard"
    """Standard gives the financially backed uptime SLA; Free is not offered for the baseline."""
    private: bool = True
    """Private API server with VNet integration (reference). False makes it public, restricted by
    `authorized_ip_ranges`."""
    authorized_ip_ranges: tuple[ipaddress.IPv4Network, ...] = ()
    """Source ranges allowed to reach a public API server; required when `private` is false."""
    maintenance: MaintenanceWindow = MaintenanceWindow()
    network: ClusterNetwork = ClusterNetwork()
    system_pool: SystemNodePool = SystemNodePool()
    """System pool, critical add-ons only. Reference: 3-4 x Standard_D2d_v5, 64 GB ephemeral."""
    user_pool: UserNodePool = UserNodePool()
    """User pool `npuser01`. Reference: 2-5 x Standard_D4d_v5, 120 GB ephemeral."""

    _parse_ranges = field_validator("authorized_ip_ranges", mode="before")(
        lambda cls, v: tuple(_network(item) for item in v) if isinstance(v, (list, tuple)) else v
    )

    @model_validator(mode="after")
    def _distinct_pool_names(self) -> "Cluster":
        if self.private and self.authorized_ip_ranges:
            raise ValueError(
                "authorized_ip_ranges: a private cluster's API server has no public endpoint to "
                "restrict; remove the ranges or set private: false")
        if not self.private and not self.authorized_ip_ranges:
            raise ValueError(
                "authorized_ip_ranges: a public API server must be limited to named source ranges; "
                "list at least one or keep private: true")
        if self.system_pool.name == self.user_pool.name:
            raise ValueError(
                f"user_pool.name: {self.user_pool.name!r} is already the system pool's name"
            )
        if self.system_pool.min_count < 2:
            raise ValueError(
                f"system_pool.min_count: {self.system_pool.min_count} is below 2; "
                "the baseline keeps at least 2 (reference 3) system nodes across zones"
            )
        return self


class AppGateway(StrictModel):
    """Application Gateway WAF_v2 autoscale bounds (they size the gateway subnet)."""

    min_capacity: Annotated[StrictInt, Field(ge=0, le=125)] = 0
    """Autoscale minimum instances. Reference: 0."""
    max_capacity: Annotated[StrictInt, Field(ge=2, le=125)] = 10
    """Autoscale maximum instances. Reference: 10. WAF_v2 allows up to 125."""

    @model_validator(mode="after")
    def _min_not_above_max(self) -> "AppGateway":
        if self.min_capacity > self.max_capacity:
            raise ValueError(
                f"min_capacity ({self.min_capacity}) must not exceed max_capacity ({self.max_capacity})"
            )
        return self


class Hub(StrictModel):
    """Hub settings shared by every region."""

    log_retention_days: Annotated[StrictInt, Field(ge=30, le=730)] = 30
    """Retention of the hub Log Analytics workspace and firewall insights. Reference: 30."""


DnsName = Annotated[str, Field(max_length=200, pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]
DnsLabel = Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class Entra(StrictModel):
    """Microsoft Entra ID tenant and groups that administer the cluster."""

    tenant_id: uuid.UUID
    """Tenant for AKS Entra integration and Key Vault."""
    cluster_admin_group_object_ids: Annotated[tuple[uuid.UUID, ...], Field(min_length=1)]
    """Groups granted Azure Kubernetes Service RBAC Cluster Admin."""
    namespace_reader_group_object_ids: tuple[uuid.UUID, ...] = ()
    """Groups granted read-only access to the workload namespace."""


class Ingress(StrictModel):
    """Public host name and the internal TLS hop behind the Application Gateway."""

    domain: DnsName = "contoso.com"
    """Domain of the public host and of the internal ingress zone. Reference: contoso.com."""
    public_host: DnsLabel = "bicycle"
    """App Gateway listener host: `<public_host>.<domain>`. Reference: bicycle."""
    internal_zone_label: DnsLabel = "aks-ingress"
    """Private DNS zone `<label>.<domain>` that resolves the ingress load balancer."""
    certificate_issuer: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,127}$")] = "Self"
    """Key Vault certificate issuer for the listener and ingress certificates: `Self` (self-signed,
    for sandboxes) or the name of an issuer configured on the vault for a public CA."""

    @property
    def public_fqdn(self) -> str:
        return f"{self.public_host}.{self.domain}"

    @property
    def internal_zone(self) -> str:
        return f"{self.internal_zone_label}.{self.domain}"


class KeyVault(StrictModel):
    """Key Vault protection settings."""

    purge_protection: bool = True
    """On by default (stronger than the reference): a deleted vault and its certificates cannot
    be purged before the retention ends. A sandbox may turn it off."""
    soft_delete_retention_days: Annotated[StrictInt, Field(ge=7, le=90)] = 90
    """Days a deleted vault stays recoverable (Azure allows 7-90; the reference uses 7)."""


class Monitoring(StrictModel):
    """Where the cluster's logs go and who hears about alerts."""

    workspace: Literal["workload", "hub"] = "workload"
    """`workload`: a workspace in the cluster resource group (reference); `hub`: the regional hub's."""
    retention_days: Annotated[StrictInt, Field(ge=30, le=730)] = 30
    alert_emails: Annotated[tuple[Email, ...], Field(min_length=1)]
    """Receivers of the action group every alert notifies (the reference has none)."""


class Budget(StrictModel):
    """Monthly cost budget of each regional cluster resource group."""

    monthly_amount: Annotated[StrictInt, Field(gt=0, le=10_000_000)]
    """Amount in the billing currency."""
    start_date: Annotated[str, Field(pattern=r"^20[2-9][0-9]-(0[1-9]|1[0-2])-01$")]
    """First day of a month, YYYY-MM-01."""
    thresholds: Annotated[tuple[Annotated[StrictInt, Field(gt=0, le=1000)], ...], Field(min_length=1)] = (50, 80, 100)
    """Percent of the amount (actual cost) that notifies."""
    forecast_threshold: Annotated[StrictInt, Field(gt=0, le=1000)] | None = 100
    """Percent of forecast cost that notifies; null to disable."""

    @field_validator("thresholds")
    @classmethod
    def _sorted_unique(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if len(set(value)) != len(value):
            raise ValueError(f"thresholds must be distinct, got {list(value)}")
        return tuple(sorted(value))


ImageRef = Annotated[str, Field(
    pattern=r"^[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?$")]
"""`repository:tag` inside the environment's registry, optionally `repository:tag@sha256:<digest>`."""


def image_tag(image: str) -> str:
    """The tag of `repository:tag[@sha256:<digest>]`."""
    return image.split("@", 1)[0].rsplit(":", 1)[1]


def _pinned(value: str) -> str:
    if image_tag(value) == "latest":
        raise ValueError(f"{value!r} uses the moving tag 'latest'; pin a version tag")
    return value


class GitOps(StrictModel):
    """Where Flux pulls the cluster baseline (namespaces, RBAC, monitoring config) from."""

    repository_url: Annotated[str, Field(pattern=r"^https://[a-z0-9.-]+\.[a-z]{2,}(/[A-Za-z0-9._~-]+)+$")]
    """Public HTTPS Git repository. Its host is also allowed through the hub firewall."""
    branch: Annotated[str, Field(pattern=r"^[A-Za-z0-9._/-]{1,200}$")] = "main"
    path: Annotated[str, Field(pattern=r"^\./[A-Za-z0-9._/-]*$")] = "./cluster-manifests"
    """Folder of the kustomization inside the repository (this project ships `cluster-manifests/`)."""

    @property
    def host(self) -> str:
        return self.repository_url.split("/")[2]


class App(StrictModel):
    """The sample workload (the reference's ASP.NET app) and its ingress controller."""

    namespace: DnsLabel = "a0008"
    """Namespace of the workload and of Traefik. Reference: a0008."""
    image: ImageRef = "dotnet/samples:aspnetapp-9.0"
    """Repository:tag inside the environment's registry (import it with `az acr import`)."""
    min_replicas: Annotated[StrictInt, Field(ge=2, le=100)] = 2
    """HPA minimum; at least 2 so one pod survives a node drain."""
    max_replicas: Annotated[StrictInt, Field(ge=2, le=100)] = 5
    internal_host_label: DnsLabel = "bu0001a0008-00"
    """Host of the ingress inside the internal zone: `<label>.<ingress.internal_zone>`."""
    traefik_image: ImageRef = "traefik:v3.4.5"
    """Repository:tag of Traefik inside the environment's registry."""
    traefik_replicas: Annotated[StrictInt, Field(ge=2, le=20)] = 2
    """At least 2, spread across nodes by required anti-affinity."""

    _pin = field_validator("image", "traefik_image")(lambda cls, v: _pinned(v))

    @model_validator(mode="after")
    def _bounds(self) -> "App":
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"min_replicas ({self.min_replicas}) must not exceed max_replicas ({self.max_replicas})")
        return self


class Deploy(StrictModel):
    """How the machine running `cdktf deploy` reaches the private API server."""

    kubelogin_login: Literal["azurecli", "workloadidentity", "spn", "msi"] = "azurecli"
    """kubelogin login mode for the Helm provider (never admin credentials)."""


class Environment(StrictModel):
    """One environment (`envs/<name>.yaml`): a set of regions deployed from one file."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{1,7}$")]
    """Environment name, 2-8 lowercase letters/digits; must match the file name."""
    workload: Annotated[str, Field(pattern=r"^[a-z][a-z0-9]{2,11}$")]
    """Workload identifier used in resource names (reference: bu0001a0008), 3-12 characters."""
    owner: Annotated[str, Field(min_length=1, max_length=256)]
    """Owning team or contact, applied as a tag."""
    cost_center: Annotated[str, Field(min_length=1, max_length=256)]
    """Cost center, applied as a tag."""
    subscription_id: uuid.UUID | None = None
    """Target subscription; when absent, Terraform reads ARM_SUBSCRIPTION_ID."""
    tags: dict[Annotated[str, Field(min_length=1, max_length=512)], Annotated[str, Field(max_length=256)]] = {}
    """Extra tags on every taggable resource."""
    state: StateBackend = LocalState()
    """Where Terraform keeps state. Default: local files (sandbox only)."""
    regions: Annotated[list[Region], Field(min_length=1, max_length=16)]
    """Regions of this environment; each gets its own hub, spoke, cluster and workload stacks."""
    paired_region: str | None = None
    """Geo-replication target of a single-region environment; default: the Azure region pair."""
    hub: Hub = Hub()
    cluster: Cluster = Cluster()
    app_gateway: AppGateway = AppGateway()
    entra: Entra
    ingress: Ingress = Ingress()
    key_vault: KeyVault = KeyVault()
    monitoring: Monitoring
    budget: Budget
    gitops: GitOps
    app: App = App()
    deploy: Deploy = Deploy()

    @field_validator("tags")
    @classmethod
    def _tag_names(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if re.search(r"[<>%&\\?/]", key):
                raise ValueError(f"tag name {key!r} contains a character Azure forbids (<>%&\\?/)")
        return value

    @model_validator(mode="after")
    def _regions_unique_and_paired(self) -> "Environment":
        names = [region.name for region in self.regions]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"regions: {', '.join(duplicates)} listed more than once")
        if self.paired_region is not None:
            if self.paired_region not in ALL_REGIONS:
                raise ValueError(f"paired_region: {self.paired_region!r} is not an Azure region name")
            if self.paired_region in names:
                raise ValueError(
                    f"paired_region: {self.paired_region} is already a region of this environment"
                )
        return self

    def replica_regions(self, region: str) -> list[str]:
        """Regions that receive a geo-replica of this region's registry."""
        others = [r.name for r in self.regions if r.name != region]
        if others:
            return others
        pair = self.paired_region or REGION_PAIRS.get(region)
        return [pair] if pair else []
