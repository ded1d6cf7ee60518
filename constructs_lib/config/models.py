"""Typed environment configuration: one `Environment` per `envs/<env>.yaml`.

Every model forbids unknown keys and is immutable. Field-level rules (types, ranges, name
charsets) live here; rules that relate several fields of the address plan live in
`address_plan.py` and run right after parsing, still before any construct exists.
Defaults mirror the mspnp/aks-baseline reference implementation.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationInfo,
    model_validator,
)

from constructs_lib.config import patterns, rules
from constructs_lib.config.regions import (
    ALL_REGIONS,
    REGION_PAIRS,
    ZONE_REDUNDANT_REGIONS,
    geo_replica_regions,
)

Zone = Literal["1", "2", "3"]


def today(info: ValidationInfo) -> datetime.date:
    """The date rules that depend on the calendar judge against: `context={"today": date}` given
    to `model_validate` (tests), else the current date."""
    given = (info.context or {}).get("today") if isinstance(info.context, dict) else None
    return given if isinstance(given, datetime.date) else datetime.date.today()


def _within(bounds: tuple[int, int]) -> Any:
    """A number within inclusive bounds defined in `config.rules`."""
    return Field(ge=bounds[0], le=bounds[1])


def _checked(check: Callable[[str, Any], object], field_name: str) -> AfterValidator:
    """A field rule from `config.rules` (`check(field_name, value)` raises ValueError) as part of
    the field's type; the value passes through unchanged."""
    def validate(value: Any) -> Any:
        check(field_name, value)
        return value
    return AfterValidator(validate)


def _text(pattern: patterns.Pattern, **constraints: object) -> Any:
    """A string field checked against one of the shared patterns (see `config.patterns`)."""
    if pattern.max_length is not None:
        constraints.setdefault("max_length", pattern.max_length)
    return Field(pattern=pattern.regex, **constraints)  # type: ignore[call-overload]


class StrictModel(BaseModel):
    """Base for all configuration models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, use_attribute_docstrings=True)


def _written(section: object, field_name: str) -> bool:
    """Whether the file sets `field_name` of `section` (False: the field keeps its default). A
    section seen in part (`config.partial`) counts as written, so a rule blames what it always did."""
    try:
        fields_set = getattr(section, "model_fields_set", None)
    except rules.Unavailable:
        return True
    return fields_set is None or field_name in fields_set


def _network(value: object) -> ipaddress.IPv4Network:
    """A CIDR; every refusal says what to write instead (the network a host address lies in, a
    prefix length from 0 to 32), never the ipaddress module's wording."""
    if isinstance(value, ipaddress.IPv4Network):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a CIDR string such as 10.240.0.0/16, got {patterns.kind_of(value)}")
    return rules.parse_ipv4_network(value)


def _address(value: object) -> ipaddress.IPv4Address:
    if isinstance(value, ipaddress.IPv4Address):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an IPv4 address such as 10.240.4.4, got {patterns.kind_of(value)}")
    try:
        return ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 address ({rules.IPV4_WORDS}), e.g. 10.240.4.4") from None


# Every field-level rule is part of the field's type (Annotated validators), never a
# `field_validator` on the model: the loader validates a field on its own when the file as a whole
# does not validate (`config.partial`), and a field's type carries all of its rules.
Network = Annotated[ipaddress.IPv4Network, BeforeValidator(_network)]
"""An IPv4 CIDR with no host bits set, written as text (`10.240.0.0/16`)."""
Address = Annotated[ipaddress.IPv4Address, BeforeValidator(_address)]
"""An IPv4 address written as text (`10.240.4.4`)."""


class HubSubnets(StrictModel):
    """Hub subnets; Azure fixes their names (AzureFirewallSubnet, GatewaySubnet, AzureBastionSubnet)."""

    firewall: Network
    """AzureFirewallSubnet. Azure requires /26 or larger."""
    gateway: Network
    """GatewaySubnet, reserved for a VPN/ExpressRoute gateway. Azure recommends /27 or larger."""
    bastion: Network
    """AzureBastionSubnet. Azure requires /26 or larger."""


class HubNetwork(StrictModel):
    """Address plan of one regional hub virtual network."""

    address_space: Network
    """The hub VNet range. Reference: 10.200.0.0/24."""
    subnets: HubSubnets
    """The hub's subnets (names fixed by Azure)."""


class SpokeSubnets(StrictModel):
    """Spoke subnets for the cluster and its ingress path."""

    nodes: Network
    """Node pools (system and user). Reference: 10.240.0.0/22."""
    ingress: Network
    """Internal load balancers of the ingress controller. Reference: 10.240.4.0/28."""
    private_endpoints: Network
    """Private endpoints of the registry and key vault. Reference: 10.240.4.32/28."""
    app_gateway: Network
    """Application Gateway (dedicated). Reference: 10.240.5.0/24."""
    api_server: Network
    """API server VNet integration, delegated to AKS. Reference: 10.240.7.0/28."""


class SpokeNetwork(StrictModel):
    """Address plan of one regional spoke virtual network."""

    address_space: Network
    """The spoke VNet range. Reference: 10.240.0.0/16."""
    subnets: SpokeSubnets
    """The spoke's subnets."""
    ingress_load_balancer_ip: Address
    """Static private IP of the ingress controller's internal load balancer, inside `subnets.ingress`.
    Reference: 10.240.4.4."""


class Origin(StrictModel):
    """How Front Door uses this region's App Gateway (only read when `front_door` is on).

    Routing among enabled, healthy origins: the lowest `priority` wins, then origins within the
    latency sensitivity (50 ms) of the fastest share the traffic by `weight`
    (https://learn.microsoft.com/azure/frontdoor/routing-methods). Equal priority and weight in
    every region (the defaults) is active/active; a higher priority number makes a region passive.
    """

    enabled: bool = True
    """False takes the region out of the rotation (maintenance): Front Door stops sending it new
    requests as soon as the change is applied, independent of health probes. Default true."""
    priority: Annotated[StrictInt, _within(rules.FRONT_DOOR_ORIGIN_PRIORITY)] = 1
    """1-5; lower is preferred. Default 1 in every region (active/active); 2 makes a region a
    standby that only receives traffic when every priority-1 origin is unhealthy or disabled."""
    weight: Annotated[StrictInt, _within(rules.FRONT_DOOR_ORIGIN_WEIGHT)] = 500
    """1-1000, share of traffic among origins of the same priority. Default 500 (the provider's),
    equal in every region."""


def _known_region(value: str) -> str:
    if value not in ALL_REGIONS:
        raise ValueError(
            f"{value!r} is not an Azure region name; use the short form such as eastus2, "
            "westeurope or centralus"
        )
    return value


def _zones_as_text(value: object) -> object:
    # `zones: [1, 2, 3]` is the natural way to write it; Azure's API takes strings.
    if isinstance(value, (list, tuple)):
        return [str(z) if isinstance(z, int) and not isinstance(z, bool) else z for z in value]
    return value


def _distinct_zones(value: tuple[str, ...]) -> tuple[str, ...]:
    repeated = sorted({zone for zone in value if value.count(zone) > 1})
    if repeated:
        raise ValueError(
            f"zone {', '.join(repeated)} is listed more than once; list each zone once, "
            'e.g. zones: ["1", "2", "3"]')
    return tuple(sorted(value))


class Region(StrictModel):
    """One deployment region: a hub, a spoke and (later) a cluster and its workload."""

    name: Annotated[str, AfterValidator(_known_region)]
    """Azure region name in its short form, for example `eastus2`."""
    zones: Annotated[tuple[Zone, ...], BeforeValidator(_zones_as_text), AfterValidator(_distinct_zones)] = (
        "1", "2", "3")
    """Availability zones used by the firewall, public IPs, gateway and node pools."""
    hub: HubNetwork
    """Address plan of the region's hub VNet."""
    spoke: SpokeNetwork
    """Address plan of the region's spoke VNet."""
    origin: Origin = Origin()
    """This region's Front Door origin (priority, weight, enabled); ignored without Front Door."""

    @model_validator(mode="after")
    def _zones_supported(self) -> Region:
        if self.zones and self.name not in ZONE_REDUNDANT_REGIONS:
            raise ValueError(
                f"zones: region {self.name} has no availability zones; set zones: [] "
                "or choose a zone-redundant region"
            )
        return self


class AzureRmState(StrictModel):
    """Remote state in an Azure Storage blob container, authenticated with Entra ID only. The
    `<env>-bootstrap` stack creates the account and the container (README "Bootstrap")."""

    backend: Literal["azurerm"]
    """`azurerm`: state in an Azure Storage blob container (the bootstrap stack creates it)."""
    resource_group_name: Annotated[str, _text(patterns.RESOURCE_GROUP_NAME)]
    """Resource group of the state account; the bootstrap stack creates it (with the deploy
    identities)."""
    storage_account_name: Annotated[str, _text(patterns.STORAGE_ACCOUNT_NAME)]
    """Globally unique storage account: 3-24 lowercase letters and digits."""
    container_name: Annotated[str, _text(patterns.BLOB_CONTAINER_NAME)]
    """Blob container: 3-63 lowercase letters, digits and single hyphens."""
    subscription_id: uuid.UUID | None = None
    """Subscription of the state storage account; defaults to the provider's subscription."""
    tenant_id: uuid.UUID | None = None
    """Entra tenant the backend signs in to; defaults to the login's tenant."""
    replication: Literal["ZRS", "GZRS", "RAGZRS", "GRS", "RAGRS"] | None = None
    """Redundancy of the state account, created in the first region of `regions`: `GZRS` (three
    zones plus a copy in the paired region), `RAGZRS` (the same, readable in the pair), `ZRS` (three
    zones, one region), or, in a region without zones, `GRS` / `RAGRS` (geo-redundant). Default
    (unset): GZRS where the first region has availability zones, GRS elsewhere
    (https://learn.microsoft.com/azure/storage/common/storage-redundancy)."""
    soft_delete_days: Annotated[StrictInt, _within(rules.STATE_SOFT_DELETE_DAYS)] = 30
    """Days a deleted or overwritten state blob (soft delete; versions keep every overwrite) and a
    deleted container stay recoverable. Azure allows 1-365. Default 30."""
    bootstrap_migrated: bool = False
    """False (default) while the bootstrap stack keeps its own state on local disk
    (`terraform-state/<env>/bootstrap.tfstate`), which it must until the account exists. Set true once
    it is applied, re-synthesize, and run `terraform init -migrate-state` in its folder: its state then
    moves to `<env>/bootstrap.tfstate` in the container (README "Bootstrap")."""


class LocalState(StrictModel):
    """Local state files for a sandbox, kept under `terraform-state/` beside `cdktf.out/`."""

    backend: Literal["local"] = "local"
    """`local`: state files on this machine (sandbox only)."""


class CloudState(StrictModel):
    """State, runs, locking and approvals on HCP Terraform or Terraform Enterprise: one workspace
    per stack through the `cloud` block (https://developer.hashicorp.com/terraform/cli/cloud/settings).
    Credentials come from `terraform login` or `TF_TOKEN_<host>`, never from this file."""

    backend: Literal["cloud"]
    """`cloud`: state and runs in HCP Terraform / Terraform Enterprise workspaces."""
    organization: Annotated[str, _text(patterns.HCP_ORGANIZATION)]
    """Organization that holds the workspaces, for example `contoso`."""
    project: Annotated[str, _text(patterns.HCP_PROJECT)] | None = None
    """Existing project the workspaces belong to; default: the organization's default project."""
    workspace_name: Annotated[str, _checked(rules.check_workspace_pattern, "workspace_name")] = "{stack}"
    """Workspace of each stack: letters, digits, - and _ around one `{stack}` placeholder, replaced
    by the stack's name (`aks-baseline-{stack}` gives `aks-baseline-prod-eastus2-hub`). Default
    `{stack}`. Names are at most 90 characters."""
    hostname: Annotated[str, _text(patterns.DNS_NAME)] | None = None
    """Terraform Enterprise host name; default (unset) app.terraform.io, HCP Terraform."""


StateBackend = Annotated[AzureRmState | LocalState | CloudState, Field(discriminator="backend")]

STATE_BACKEND_MODELS: dict[str, type[StrictModel]] = {
    get_args(model.model_fields["backend"].annotation)[0]: model for model in get_args(get_args(StateBackend)[0])}
"""`state.backend` tag -> its model, read from StateBackend (the loader, the messages and the
schema tool name the tags from here)."""
STATE_BACKENDS: tuple[str, ...] = tuple(STATE_BACKEND_MODELS)
"""The `state.backend` tags: azurerm, local, cloud."""


class Ci(StrictModel):
    """How the pipeline signs in to Azure: the GitHub repository trusted through OpenID Connect and
    the addresses its runners come from. The `<env>-bootstrap` stack builds the identities and
    their federated credentials from this section."""

    github_repository: Annotated[str, _text(patterns.GITHUB_REPOSITORY)]
    """`owner/name` of the repository whose workflows deploy this environment. The plan identity
    trusts its GitHub environment `<env>-plan`, the deploy identity `<env>` (subjects
    `repo:<owner>/<name>:environment:<environment>`, compared case-sensitively;
    https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect)."""
    runner_ip_ranges: Annotated[tuple[Network, ...], _checked(rules.check_runner_ip_ranges, "runner_ip_ranges")] = ()
    """Public IPv4 ranges (`20.51.10.0/28`, or one address as `/32`) that may reach the state
    account: the runners' and the operators' egress addresses. Every other source is denied.
    Empty (default): public network access is off and the account is reachable only through a
    private endpoint added beside it (README "Bootstrap")
    (https://learn.microsoft.com/azure/storage/common/storage-network-security)."""


class NodePool(StrictModel):
    """An AKS node pool. Defaults are the reference's user pool `npuser01`."""

    name: Annotated[str, _text(patterns.NODE_POOL_NAME)]
    """Pool name: lowercase letters and digits, at most 12 characters (Azure's Linux pool rule)."""
    vm_size: Annotated[str, _text(patterns.VM_SIZE)] = "Standard_D4d_v5"
    """VM size from this project's table (`catalog.py`): at least 2 vCPUs and 2 GiB. Reference: Standard_D4d_v5."""
    min_count: Annotated[StrictInt, _within(rules.NODE_COUNT)] = 2
    """Autoscaler minimum. AKS allows 1-1000 nodes per pool."""
    max_count: Annotated[StrictInt, _within(rules.NODE_COUNT)] = 5
    """Autoscaler maximum. AKS allows 1-1000 nodes per pool."""
    os_disk_size_gb: Annotated[StrictInt, _within(rules.OS_DISK_SIZE_GB)] = 120
    """Ephemeral OS disk size; it must fit the VM size's cache or temp disk."""
    max_pods: Annotated[StrictInt, _within(rules.MAX_PODS)] = 30
    """Pods per node; AKS allows 10-250. The reference keeps the default 30."""
    max_surge: Annotated[str, _text(patterns.MAX_SURGE)] = "33%"
    """Extra nodes during an upgrade: a percentage of the pool (`33%`) or a node count (`2`)."""

    @model_validator(mode="after")
    def _min_not_above_max(self) -> NodePool:
        rules.check_all([
            lambda: rules.check_min_not_above_max("min_count", self.min_count, "max_count", self.max_count),
            lambda: rules.check_pool_capacity(self.min_count, self.max_count, self.max_pods, self.surge_nodes()),
        ])
        return self

    def surge_nodes(self) -> int:
        """Nodes added at most during an upgrade, computed the way AKS rounds (up)."""
        if self.max_surge.endswith("%"):
            percent = int(self.max_surge[:-1])
            return max(1, -(-self.max_count * percent // 100))
        return int(self.max_surge)


class SystemNodePool(NodePool):
    """The system pool: critical add-ons only. Reference: 3-4 x Standard_D2d_v5, 64 GB ephemeral."""

    name: Annotated[str, _text(patterns.NODE_POOL_NAME)] = "npsystem"
    """Pool name: lowercase letters and digits, at most 12 characters. Reference: npsystem."""
    vm_size: Annotated[str, _text(patterns.VM_SIZE)] = "Standard_D2d_v5"
    """VM size from this project's table (`catalog.py`): at least 2 vCPUs and 4 GiB, no B-series.
    Reference: Standard_D2d_v5."""
    min_count: Annotated[StrictInt, _within(rules.NODE_COUNT)] = 3
    """Autoscaler minimum; the baseline keeps at least 2 system nodes. Reference: 3."""
    max_count: Annotated[StrictInt, _within(rules.NODE_COUNT)] = 4
    """Autoscaler maximum. Reference: 4."""
    os_disk_size_gb: Annotated[StrictInt, _within(rules.OS_DISK_SIZE_GB)] = 64
    """Ephemeral OS disk in GB; must fit the VM size's local disk. Reference: 64."""


class UserNodePool(NodePool):
    """The workload pool. Reference: `npuser01`, 2-5 x Standard_D4d_v5, 120 GB ephemeral."""

    name: Annotated[str, _text(patterns.NODE_POOL_NAME)] = "npuser01"
    """Pool name: lowercase letters and digits, at most 12 characters. Reference: npuser01."""
    min_count: Annotated[StrictInt, _within(rules.USER_POOL_NODE_COUNT)] = 2
    """Autoscaler minimum, 0-1000. Reference: 2. 0 lets the autoscaler remove every node of the pool
    when nothing is scheduled on it (AKS allows this for User pools only:
    https://learn.microsoft.com/azure/aks/scale-cluster). Traefik and the sample app run here, so
    while they run the pool keeps at least `app.traefik_replicas` nodes; the saving is when the
    workload is scaled away or the cluster is stopped."""


class SpotNodePool(StrictModel):
    """An optional second user pool of Azure Spot VMs for the sample app (non-production only).

    AKS fixes what makes it Spot: priority Spot, eviction policy Delete, maximum price -1 (up to
    the on-demand price, evicted only for capacity), and the taint
    `kubernetes.azure.com/scalesetpriority=spot:NoSchedule` with the label of the same name
    (https://learn.microsoft.com/azure/aks/spot-node-pool). The sample app tolerates the taint and
    prefers these nodes; Traefik stays on the regular user pool. Spot evictions do not honour
    PodDisruptionBudgets, so the app keeps replicas on the regular pool when Spot capacity goes."""

    name: Annotated[str, _text(patterns.NODE_POOL_NAME)] = "npspot01"
    """Pool name: lowercase letters and digits, at most 12 characters. Default npspot01."""
    vm_size: Annotated[str, _text(patterns.VM_SIZE)] = "Standard_D4d_v5"
    """VM size. Default Standard_D4d_v5 (the user pool's)."""
    min_count: Annotated[StrictInt, _within(rules.USER_POOL_NODE_COUNT)] = 0
    """Autoscaler minimum, 0-1000. Default 0: nodes exist only while pods need them."""
    max_count: Annotated[StrictInt, _within(rules.NODE_COUNT)] = 3
    """Autoscaler maximum, 1-1000. Default 3."""
    os_disk_size_gb: Annotated[StrictInt, _within(rules.OS_DISK_SIZE_GB)] = 120
    """Ephemeral OS disk size in GB; it must fit the VM size's cache or temp disk. Default 120."""
    max_pods: Annotated[StrictInt, _within(rules.MAX_PODS)] = 30
    """Pods per node, 10-250. Default 30."""

    @model_validator(mode="after")
    def _min_not_above_max(self) -> SpotNodePool:
        rules.check_min_not_above_max("min_count", self.min_count, "max_count", self.max_count)
        return self

    def surge_nodes(self) -> int:
        """Spot pools are upgraded without surge nodes (cordon and evict), so none."""
        return 0


class ClusterNetwork(StrictModel):
    """Pod networking. Overlay keeps pod IPs out of the VNet; flat gives every pod a subnet IP."""

    plugin_mode: Literal["overlay", "flat"] = "overlay"
    """`overlay` (Azure CNI Overlay, reference default) or `flat` (classic Azure CNI)."""
    data_plane: Literal["cilium", "azure"] = "cilium"
    """Data plane and network policy engine. `cilium` (default): Azure CNI powered by Cilium with
    Cilium network policy, what Microsoft recommends for new clusters. `azure`: the Azure data plane
    with Azure Network Policy Manager, which Microsoft is retiring (Linux support ends 2028-09-30,
    https://azure.microsoft.com/updates?id=500268). Changing it on an existing cluster makes
    Terraform replace the cluster; migrate in place with `az aks update --network-dataplane cilium`
    first (README "Cluster")."""
    pod_cidr: Network | None = None
    """Overlay pod range; must not overlap any VNet. Default 192.168.0.0/16. Not allowed for flat."""
    service_cidr: Network = ipaddress.IPv4Network("172.16.0.0/16")
    """Kubernetes service range; must not overlap any VNet or the pod range."""
    dns_service_ip: Address = ipaddress.IPv4Address("172.16.0.10")
    """Cluster DNS service IP, inside `service_cidr`."""

    @model_validator(mode="after")
    def _pod_cidr_matches_mode(self) -> ClusterNetwork:
        rules.check_all([
            lambda: rules.check_cluster_network(self.plugin_mode, self.pod_cidr, self.service_cidr,
                                                self.dns_service_ip),
            lambda: rules.check_network_data_plane(self.plugin_mode, self.data_plane),
        ])
        return self

    @property
    def overlay_pod_cidr(self) -> ipaddress.IPv4Network | None:
        """The overlay pod range in effect (192.168.0.0/16 unless set); None for flat CNI."""
        if self.plugin_mode == "flat":
            return None
        return self.pod_cidr or rules.DEFAULT_OVERLAY_POD_CIDR


Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class MaintenanceWindow(StrictModel):
    """Weekly window for node-image and patch upgrades (UTC)."""

    day: Weekday = "Tuesday"
    """Reference: Tuesday."""
    start: Annotated[str, _text(patterns.TIME_OF_DAY)] = "21:00"
    """HH:MM UTC. Reference: 21:00."""
    duration_hours: Annotated[StrictInt, _within(rules.MAINTENANCE_HOURS)] = 12
    """AKS requires at least 4 hours. Reference: 12."""


class StopSchedule(StrictModel):
    """Stop the cluster outside working hours and start it again (AKS start/stop), from a Logic App
    whose identity may only read, start and stop this cluster. Non-production only.

    A stopped cluster keeps its state and configuration (up to 12 months), runs no nodes and no
    control plane, serves nothing and has no SLA until it is started
    (https://learn.microsoft.com/azure/aks/start-stop-cluster)."""

    start: Annotated[str, _text(patterns.TIME_OF_DAY)] = "07:00"
    """HH:MM, in `time_zone`, when the cluster starts on each of `days`. Default 07:00."""
    stop: Annotated[str, _text(patterns.TIME_OF_DAY)] = "19:00"
    """HH:MM, in `time_zone`, when the cluster stops on each of `days`. Default 19:00. Outside
    `days` it stays as the last run left it (stopped over a weekend with the defaults)."""
    days: tuple[Weekday, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    """Days both runs happen. Default Monday-Friday."""
    time_zone: Annotated[str, _checked(rules.check_windows_time_zone, "cluster.stop_schedule.time_zone")] = "UTC"
    """Windows time zone name, as Logic Apps recurrence triggers take it (e.g. `W. Europe Standard
    Time`, `Eastern Standard Time`, `UTC`). Default UTC."""


class AddOns(StrictModel):
    """Optional cluster add-ons; each one on also opens exactly the egress Microsoft documents for
    it in the hub firewall (`config.egress`). Azure Policy, the Key Vault Secrets Store CSI driver,
    workload identity and the Flux extension are not optional: the baseline's guardrails and its
    ingress path depend on them."""

    container_insights: bool = True
    """Container Insights through the Azure Monitor agent with managed-identity auth (logs, inventory,
    node syslog) and its failed-pods alert. Reference: on."""
    managed_prometheus: bool = True
    """Azure Monitor managed Prometheus (metrics profile, Azure Monitor workspace) and the 30
    recommended Prometheus alert rules. Reference: on."""
    defender: bool = True
    """Microsoft Defender for Containers sensor, reporting to its own workspace (README
    "Deviations"). Reference: on."""
    image_cleaner: bool = True
    """Image Cleaner removes unused, vulnerable images from the nodes. Reference: on."""


class Cluster(StrictModel):
    """AKS settings shared by every region of the environment."""

    kubernetes_version: Annotated[str, _text(patterns.KUBERNETES_VERSION)] = "1.35"
    """Kubernetes minor version, e.g. "1.35" (quote it). A minor upgrade is this one line. With the
    default `patch` upgrade channel AKS applies patch releases in the maintenance window, so only
    major.minor is allowed; with `upgrade_channel: none` a patch may be pinned ("1.35.4")."""
    upgrade_channel: Literal["patch", "none"] = "patch"
    """`patch` (default, stronger than the reference's `none`): AKS applies Kubernetes patch releases in
    the maintenance window and Terraform never diffs against them. `none`: patches are applied by
    changing `kubernetes_version`."""
    sku_tier: Literal["Free", "Standard", "Premium"] = "Standard"
    """Control-plane tier. Standard (reference) gives the financially backed uptime SLA (99.95 % with
    zones); Free has none and is only allowed with `environment_type: non-production`
    (https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers)."""
    private: bool = True
    """Private API server (reference). False makes it public, restricted by `authorized_ip_ranges`."""
    api_server_vnet_integration: bool = True
    """API server VNet integration on the delegated `api_server` subnet (reference): nodes reach the
    API server on a private IP in the spoke, so the firewall needs no rule for it. False: a private
    cluster uses a private endpoint in the node subnet; a public one needs the `AzureCloud.<region>`
    and `*.hcp.<region>.azmk8s.io` egress Microsoft documents."""
    authorized_ip_ranges: tuple[Network, ...] = ()
    """Source ranges allowed to reach a public API server; required when `private` is false."""
    maintenance: MaintenanceWindow = MaintenanceWindow()
    """Weekly planned-maintenance window for upgrades (UTC)."""
    network: ClusterNetwork = ClusterNetwork()
    """Pod networking: CNI mode, data plane, pod and service ranges."""
    system_pool: SystemNodePool = SystemNodePool()
    """System pool, critical add-ons only. Reference: 3-4 x Standard_D2d_v5, 64 GB ephemeral."""
    user_pool: UserNodePool = UserNodePool()
    """User pool `npuser01`. Reference: 2-5 x Standard_D4d_v5, 120 GB ephemeral."""
    spot_pool: SpotNodePool | None = None
    """Optional Spot user pool for the sample app (non-production only). Default none (reference)."""
    stop_schedule: StopSchedule | None = None
    """Optional weekday stop/start of the cluster (non-production only). Default none."""
    add_ons: AddOns = AddOns()
    """Optional add-ons, all on by default."""
    allow_unlisted_kubernetes_version: bool = False
    """Accept a `kubernetes_version` newer than this project's table of AKS versions
    (`constructs_lib/config/catalog.py`, dated). Off: such a version is refused at load. Every
    synth warns while it is on."""
    allow_unlisted_vm_sizes: bool = False
    """Accept pool VM sizes missing from this project's table of VM sizes (`catalog.py`); you
    then vouch that the size supports an ephemeral OS disk of `os_disk_size_gb`, encryption at
    host and AKS's minimums. Every synth warns while it is on."""

    @model_validator(mode="after")
    def _access_and_pools(self, info: ValidationInfo) -> Cluster:
        """Every rule that relates the cluster's fields, each checked even when another fails."""
        def vm_size(key: str) -> None:
            pool = dict(self.node_pools()).get(key)
            if pool is not None:
                rules.check_vm_size(key, key == "system_pool", pool.vm_size, pool.os_disk_size_gb,
                                    self.allow_unlisted_vm_sizes, _written(pool, "os_disk_size_gb"))

        def pod_capacity() -> None:
            if self.network.overlay_pod_cidr is not None:
                rules.check_pod_capacity(self.network.overlay_pod_cidr, sum(
                    pool.max_count + pool.surge_nodes() for _, pool in self.node_pools()), "network.pod_cidr")

        rules.check_all([
            lambda: rules.check_api_server_access(self.private, self.authorized_ip_ranges),
            lambda: rules.check_node_pool_names(self.system_pool.name, self.user_pool.name,
                                                _written(self.user_pool, "name")),
            lambda: rules.check_system_pool_minimum(self.system_pool.min_count),
            lambda: rules.check_version_for_channel(self.kubernetes_version, self.upgrade_channel),
            lambda: rules.check_kubernetes_version(self.kubernetes_version, today(info),
                                                   self.allow_unlisted_kubernetes_version),
            *(functools.partial(vm_size, key) for key in ("system_pool", "user_pool", "spot_pool")),
            pod_capacity,
        ])
        return self

    def node_pools(self) -> list[tuple[str, NodePool | SpotNodePool]]:
        """(key, pool) of every node pool of the cluster: system_pool, user_pool and, when set,
        spot_pool."""
        pools: list[tuple[str, NodePool | SpotNodePool]] = [
            ("system_pool", self.system_pool), ("user_pool", self.user_pool)]
        if self.spot_pool is not None:
            pools.append(("spot_pool", self.spot_pool))
        return pools

    @property
    def kubernetes_minor(self) -> str:
        """major.minor of `kubernetes_version`."""
        return ".".join(self.kubernetes_version.split(".")[:2])


class AppGateway(StrictModel):
    """Application Gateway WAF_v2 autoscale bounds (they size the gateway subnet)."""

    min_capacity: Annotated[StrictInt, _within(rules.APP_GATEWAY_MIN_CAPACITY)] = 0
    """Autoscale minimum instances. Reference: 0."""
    max_capacity: Annotated[StrictInt, _within(rules.APP_GATEWAY_MAX_CAPACITY)] = 10
    """Autoscale maximum instances. Reference: 10. WAF_v2 allows up to 125."""

    @model_validator(mode="after")
    def _min_not_above_max(self) -> AppGateway:
        rules.check_min_not_above_max("min_capacity", self.min_capacity, "max_capacity", self.max_capacity)
        return self


def _firewall_tier(value: object) -> object:
    rules.check_firewall_sku(value)
    return value


def _bastion_tier(value: object) -> object:
    rules.check_bastion_sku(value)
    return value


class Hub(StrictModel):
    """Hub settings shared by every region."""

    log_retention_days: Annotated[StrictInt, _within(rules.LOG_RETENTION_DAYS)] = 30
    """Retention of the hub Log Analytics workspace and firewall insights, 30-730 days. Reference:
    30. Days beyond 31 are billed per GB and month of data kept."""
    firewall_sku: Annotated[Literal["Standard", "Premium"], BeforeValidator(_firewall_tier)] = "Premium"
    """Azure Firewall tier. Premium (reference) adds IDPS, which the policy runs in Deny mode.
    Standard has no IDPS and no TLS inspection: the policy is then built without them (threat
    intelligence in Deny, DNS proxy and every egress rule stay). Basic is refused: it has no DNS
    proxy, which the FQDN network rules of the AKS egress need
    (https://learn.microsoft.com/azure/firewall/choose-firewall-sku)."""
    bastion_sku: Annotated[Literal["Standard", "Premium", "none"], BeforeValidator(_bastion_tier)] = "Standard"
    """Azure Bastion tier. Standard (reference) or Premium tunnel native clients, which is how
    `az aks bastion` reaches the private API server; Developer and Basic cannot and are refused
    (https://learn.microsoft.com/azure/bastion/configuration-settings). `none` builds no Bastion
    (AzureBastionSubnet stays, closed by a deny-all NSG): bring your own path to the private API
    server, e.g. a jump box or VPN into the hub, or `az aks command invoke` (README "Reaching the
    private API server")."""


DnsName = Annotated[str, _text(patterns.DNS_NAME, max_length=200)]
DnsLabel = Annotated[str, _text(patterns.DNS_LABEL)]
Email = Annotated[str, _text(patterns.EMAIL, max_length=254)]


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
    certificate_issuer: Annotated[str, _text(patterns.KEY_VAULT_OBJECT_NAME)] = "Self"
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
    be purged before the retention ends. Only an environment marked `environment_type: non-production`
    (a sandbox) may turn it off; Microsoft's guidance is to turn it on
    (https://learn.microsoft.com/azure/key-vault/general/secure-key-vault#data-protection)."""
    soft_delete_retention_days: Annotated[StrictInt, _within(rules.KEY_VAULT_SOFT_DELETE_DAYS)] = 90
    """Days a deleted vault stays recoverable (Azure allows 7-90; the reference uses 7)."""


class Monitoring(StrictModel):
    """Where the cluster's logs go and who hears about alerts."""

    workspace: Literal["workload", "hub"] = "workload"
    """`workload`: a workspace in the cluster resource group (reference); `hub`: the regional hub's."""
    retention_days: Annotated[StrictInt, _within(rules.LOG_RETENTION_DAYS)] = 30
    """Retention of the cluster's Log Analytics workspace in days, 30-730. Reference: 30."""
    alert_emails: Annotated[tuple[Email, ...], Field(min_length=1)]
    """Receivers of the action group every alert notifies (the reference has none)."""


class Budget(StrictModel):
    """Monthly cost budget of each regional cluster resource group."""

    monthly_amount: Annotated[StrictInt, Field(gt=0, le=10_000_000)]
    """Amount in the billing currency."""
    start_date: Annotated[str, _text(patterns.FIRST_OF_MONTH)]
    """First day of a month, YYYY-MM-01."""
    thresholds: Annotated[tuple[StrictInt, ...], Field(min_length=1), AfterValidator(lambda v: tuple(sorted(v)))] = (
        50, 80, 100)
    """Percent of the amount (actual cost) that notifies."""
    forecast_threshold: StrictInt | None = 100
    """Percent of forecast cost that notifies; null to disable."""

    @model_validator(mode="after")
    def _notifications(self, info: ValidationInfo) -> Budget:
        rules.check_all([
            lambda: rules.check_budget_thresholds(self.thresholds, self.forecast_thresholds),
            lambda: rules.check_budget_start(self.start_date, today(info)),
        ])
        return self

    @property
    def forecast_thresholds(self) -> tuple[int, ...]:
        """The forecast threshold as a (possibly empty) tuple."""
        return () if self.forecast_threshold is None else (self.forecast_threshold,)


def _image(value: str, info: ValidationInfo) -> str:
    rules.check_image_reference(str(info.field_name), value)
    return value


ImageRef = Annotated[str, AfterValidator(_image)]
"""`repository:tag` inside the environment's registry, optionally `repository:tag@sha256:<digest>`."""


class GitOps(StrictModel):
    """Where Flux pulls the cluster baseline (namespaces, RBAC, monitoring config) from."""

    repository_url: Annotated[str, _text(patterns.GIT_HTTPS_URL)]
    """Public HTTPS Git repository. Its host is also allowed through the hub firewall."""
    branch: Annotated[str, _text(patterns.GIT_BRANCH)] = "main"
    """Branch Flux follows. Default main."""
    path: Annotated[str, _text(patterns.REPOSITORY_PATH)] = "./cluster-manifests"
    """Folder of the kustomization inside the repository (this project ships `cluster-manifests/`)."""

    @property
    def host(self) -> str:
        return self.repository_url.split("/")[2]


class App(StrictModel):
    """The sample workload (the reference's ASP.NET app) and its ingress controller."""

    namespace: Annotated[DnsLabel, _checked(rules.check_workload_namespace, "namespace")] = "a0008"
    """Namespace of the workload and of Traefik. Reference: a0008."""
    image: ImageRef = "dotnet/samples:aspnetapp-9.0"
    """Repository:tag inside the environment's registry (import it with `az acr import`)."""
    min_replicas: Annotated[StrictInt, _within(rules.WORKLOAD_REPLICAS)] = 2
    """HPA minimum; at least 2 so one pod survives a node drain."""
    max_replicas: Annotated[StrictInt, _within(rules.WORKLOAD_REPLICAS)] = 5
    """HPA maximum, at least min_replicas. Default 5."""
    internal_host_label: DnsLabel = "bu0001a0008-00"
    """Host of the ingress inside the internal zone: `<label>.<ingress.internal_zone>`."""
    traefik_image: ImageRef = "traefik:v3.4.5"
    """Repository:tag of Traefik inside the environment's registry."""
    traefik_replicas: Annotated[StrictInt, _within(rules.INGRESS_REPLICAS)] = 2
    """At least 2, spread across nodes by required anti-affinity."""

    @model_validator(mode="after")
    def _bounds(self) -> App:
        rules.check_min_not_above_max("min_replicas", self.min_replicas, "max_replicas", self.max_replicas)
        return self


class HealthProbe(StrictModel):
    """Front Door's HTTPS health probe of every region's App Gateway. An origin is healthy when at
    least `successful_samples_required` of the last `sample_size` probes returned 200 OK; any other
    status or a network failure counts as failed (https://learn.microsoft.com/azure/frontdoor/health-probes).
    With the defaults a failed region is drained after 2 failed probes, about 60-90 s (README
    "Failover")."""

    path: Annotated[str, _text(patterns.URL_PATH)] = "/favicon.ico"
    """Path probed through every region's App Gateway, WAF and ingress; it must answer 200 (not a
    redirect). Default /favicon.ico, the path the App Gateway's own backend probe uses."""
    interval_seconds: Annotated[StrictInt, _within(rules.FRONT_DOOR_PROBE_INTERVAL_SECONDS)] = 30
    """Seconds between probes from each Front Door point of presence, 1-255. Default 30 (the
    reference's). Shorter drains faster but multiplies probe traffic: at 30 s about 200 probes a
    minute reach each origin (https://learn.microsoft.com/azure/frontdoor/origin)."""
    sample_size: Annotated[StrictInt, _within(rules.FRONT_DOOR_SAMPLES)] = 4
    """Number of recent probes that are judged, 1-255. Default 4 (the provider's and the reference's)."""
    successful_samples_required: Annotated[StrictInt, _within(rules.FRONT_DOOR_SAMPLES)] = 3
    """Successful probes among the last `sample_size` needed to stay healthy, at most `sample_size`.
    Default 3 (the provider's): 2 failures in a row drain the region."""

    @model_validator(mode="after")
    def _samples(self) -> HealthProbe:
        rules.check_health_probe_samples(self.sample_size, self.successful_samples_required)
        return self


class PublicDnsZone(StrictModel):
    """An Azure public DNS zone this environment may write the Front Door records into."""

    name: DnsName
    """Zone name, e.g. contoso.com; it must contain `<ingress.public_host>.<ingress.domain>`."""
    resource_group_name: Annotated[str, _text(patterns.RESOURCE_GROUP_NAME)]
    """Resource group of the zone (in the environment's subscription)."""


class FrontDoor(StrictModel):
    """The global entry: Azure Front Door Premium in front of every region's App Gateway, with an
    edge WAF, health-probe failover and a managed certificate for the public host."""

    enabled: bool | None = None
    """On by default when the environment has more than one region (None = decide by the region
    count); true also puts Front Door in front of a single region, false leaves every App Gateway
    directly on the internet. Front Door needs a publicly trusted listener certificate:
    `ingress.certificate_issuer` must name a CA issuer, not Self."""
    health_probe: HealthProbe = HealthProbe()
    """Health probe of the origins (path, interval, samples)."""
    public_dns_zone: PublicDnsZone | None = None
    """Azure public DNS zone of `ingress.domain`: when set, the environment writes the TXT record
    that validates the custom domain (`_dnsauth.<host>`) and the CNAME that points the public host at
    the Front Door endpoint. When absent, create both by hand from the values the portal shows."""


class ContainerRegistrySettings(StrictModel):
    """The environment's one shared container registry (Premium, private, zone redundant)."""

    geo_replication: bool = True
    """Replicate the registry to every other region of the environment (a single-region environment:
    to `paired_region` or the Azure region pair). Each replica is billed as one more Premium registry
    (https://learn.microsoft.com/azure/container-registry/container-registry-geo-replication). Default
    true. false (a single-region environment only, e.g. a dev sandbox) keeps one copy and no replica;
    an environment with several regions always replicates, so no cluster pulls across regions or
    stops pulling when the first region fails."""


class Deploy(StrictModel):
    """How the machine running `cdktf deploy` reaches the private API server."""

    kubelogin_login: Literal["azurecli", "workloadidentity", "spn", "msi"] = "azurecli"
    """kubelogin login mode for the Helm provider (never admin credentials)."""
    role_propagation_seconds: Annotated[StrictInt, _within(rules.ROLE_PROPAGATION_SECONDS)] = 120
    """Seconds to wait after a role assignment before anything in the same apply uses it (Key Vault
    certificates, the App Gateway reading its certificate, the AKS control plane joining its
    subnets). Azure documents up to 10 minutes for RBAC changes to take effect
    (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting); 0 disables the
    wait. Default 120."""


def _tag_names(value: dict[str, str]) -> dict[str, str]:
    for key in value:
        if re.search(r"[<>%&\\?/]", key):
            raise ValueError(f"tag name {key!r} contains a character Azure forbids (<>%&\\?/)")
    return value


def _known_type(value: object) -> object:
    rules.check_environment_type(str(value))
    return value


class Environment(StrictModel):
    """One environment (`envs/<name>.yaml`): a set of regions deployed from one file."""

    name: Annotated[str, _text(patterns.ENVIRONMENT_NAME)]
    """Environment name, 2-8 lowercase letters/digits; must match the file name."""
    environment_type: Annotated[Literal["production", "non-production"], BeforeValidator(_known_type)] = "production"
    """`production` (default) keeps every setting at the baseline's reference. `non-production`
    unlocks the cost levers the architecture names for dev/test: AKS Free tier, a Spot user pool,
    fewer zones, and stopping the cluster outside working hours (README "Cost")."""
    workload: Annotated[str, _text(patterns.WORKLOAD_NAME)]
    """Workload identifier used in resource names (reference: bu0001a0008), 3-12 characters."""
    owner: Annotated[str, Field(min_length=1, max_length=256)]
    """Owning team or contact, applied as a tag."""
    cost_center: Annotated[str, Field(min_length=1, max_length=256)]
    """Cost center, applied as a tag."""
    subscription_id: uuid.UUID | None = None
    """Target subscription (this or `name_suffix` is required); when absent, Terraform reads
    ARM_SUBSCRIPTION_ID. It is also part of the
    hash in every globally unique name (registry, key vault), so two organisations that keep the
    example's names never collide. Without it, `name_suffix` is required."""
    name_suffix: Annotated[str, _text(patterns.NAME_SUFFIX)] | None = None
    """Extra text for the hash of globally unique names, 1-12 lowercase letters and digits (e.g. your
    organisation's short name). Required when `subscription_id` is not set; changing it renames
    the registry and key vault (Terraform replaces them)."""
    tags: Annotated[dict[Annotated[str, Field(min_length=1, max_length=512)], Annotated[str, Field(max_length=256)]],
                    AfterValidator(_tag_names)] = {}
    """Extra tags on every taggable resource."""
    state: StateBackend = LocalState()
    """Where Terraform keeps state: `azurerm` (a storage account the bootstrap stack creates),
    `cloud` (HCP Terraform / Terraform Enterprise workspaces) or `local` (default; files, sandbox
    only)."""
    ci: Ci | None = None
    """The pipeline's repository and runner ranges; unset (default): no deploy identities are
    built, and a local-state environment has no bootstrap stack."""
    regions: Annotated[list[Region], Field(min_length=1, max_length=16)]
    """Regions of this environment; each gets its own hub, spoke, cluster and workload stacks."""
    paired_region: str | None = None
    """Geo-replication target of a single-region environment; default: the Azure region pair."""
    hub: Hub = Hub()
    """Hub settings shared by every region (retention, firewall and Bastion SKUs)."""
    cluster: Cluster = Cluster()
    """AKS settings shared by every region."""
    app_gateway: AppGateway = AppGateway()
    """Application Gateway WAF_v2 autoscale bounds."""
    entra: Entra
    """Entra ID tenant and the groups that administer the cluster. Required."""
    ingress: Ingress = Ingress()
    """Public host name, internal ingress zone and certificate issuer."""
    key_vault: KeyVault = KeyVault()
    """Key Vault protection settings."""
    monitoring: Monitoring
    """Log Analytics workspace choice, retention and alert receivers. Required (alert_emails)."""
    budget: Budget
    """Monthly cost budget of each regional cluster resource group. Required."""
    gitops: GitOps
    """Git repository Flux pulls the cluster baseline from. Required."""
    app: App = App()
    """The sample workload and its ingress controller."""
    deploy: Deploy = Deploy()
    """How the machine running the deploy reaches the private API server, and role propagation."""
    front_door: FrontDoor = FrontDoor()
    """Global entry in front of the regions (Front Door Premium); on by default with more than one region."""
    container_registry: ContainerRegistrySettings = ContainerRegistrySettings()
    """The one registry every cluster of the environment pulls from."""

    @model_validator(mode="after")
    def _environment_rules(self) -> Environment:
        """Every rule that relates sections of the file, each checked even when another fails, so
        one run reports them all (the loader turns each line into its own problem). Each check reads
        the fields it needs only when it runs: on a file that failed validation elsewhere
        (`config.partial`) a check whose input did not validate is skipped, the others still run."""
        rules.check_all([
            lambda: rules.check_registry_replication(self.container_registry.geo_replication,
                                                     [region.name for region in self.regions]),
            self._regions_unique,
            self._state_rules,
            self._paired_region,
            self._api_server_vnet_integration,
            self._name_scope,
            lambda: rules.check_cluster_tier(self.environment_type, self.cluster.sku_tier),
            self._spot_pool,
            self._stop_schedule,
            self._production_zones,
            lambda: rules.check_key_vault_protection(self.environment_type, self.key_vault.purge_protection),
            lambda: rules.check_front_door_certificate_issuer(self.front_door_enabled,
                                                              self.ingress.certificate_issuer),
            self._front_door_origins,
        ])
        return self

    def _each_region(self, check: Callable[[int, Region], object]) -> None:
        """`check(index, region)` for every region, each checked even when another fails."""
        rules.check_all([functools.partial(check, index, region) for index, region in enumerate(self.regions)])

    def _regions_unique(self) -> None:
        names = [region.name for region in self.regions]
        self._each_region(lambda index, region: rules.check_region_listed_once(index, region.name, names))

    def _state_rules(self) -> None:
        state = self.state
        if not isinstance(state, AzureRmState):
            return
        first = self.regions[0]
        checks: list[Callable[[], object]] = [
            lambda: rules.state_replication(state.replication, first.name, first.name in ZONE_REDUNDANT_REGIONS)]
        if state.subscription_id is not None:
            checks.append(self._subscription_for_state)
        rules.check_all(checks)

    def _subscription_for_state(self) -> None:
        if self.subscription_id is None:
            raise ValueError(
                "subscription_id: set it too when state.subscription_id is set; the bootstrap grants the "
                "deploy identity its rights on the environment's subscription and must name it, for "
                "example subscription_id: 00000000-0000-0000-0000-000000000000")

    def _paired_region(self) -> None:
        if self.paired_region is None:
            return
        names = [region.name for region in self.regions]
        if self.paired_region not in ALL_REGIONS:
            raise ValueError(
                f"paired_region: {self.paired_region!r} is not an Azure region name; use the short form, e.g. "
                f"paired_region: {REGION_PAIRS.get(names[0], 'centralus')}")
        if self.paired_region in names:
            raise ValueError(
                f"paired_region: {self.paired_region} is already a region of this environment; name another "
                f"region, e.g. paired_region: {REGION_PAIRS.get(names[0], 'centralus')}, or remove the line")
        if len(names) > 1:
            raise ValueError(
                "paired_region: only a single-region environment uses it (its registry replicates to "
                f"the paired region); with {len(names)} regions the registry replicates to the other "
                "regions, so remove paired_region")

    def _api_server_vnet_integration(self) -> None:
        self._each_region(lambda _, region: rules.check_api_server_vnet_integration(
            region.name, self.cluster.api_server_vnet_integration, "cluster.api_server_vnet_integration"))

    def _spot_pool(self) -> None:
        spot = self.cluster.spot_pool
        if spot is None:
            return
        # The type first: a production file learns that before any naming rule.
        rules.check_spot_pool_allowed(self.environment_type)
        rules.check_spot_pool_name(spot.name, self.cluster.system_pool.name, self.cluster.user_pool.name,
                                   _written(spot, "name"))

    def _stop_schedule(self) -> None:
        schedule = self.cluster.stop_schedule
        if schedule is not None:
            rules.check_stop_schedule(self.environment_type, schedule.start, schedule.stop, schedule.days)

    def _production_zones(self) -> None:
        self._each_region(lambda index, region: rules.check_production_zones(
            self.environment_type, region.name, region.zones, region.name in ZONE_REDUNDANT_REGIONS,
            f"regions[{index}].zones"))

    def _front_door_origins(self) -> None:
        if not self.front_door_enabled:
            return
        checks: list[Callable[[], object]] = [lambda: rules.check_some_origin_enabled(
            {region.name: region.origin.enabled for region in self.regions}, "regions[0].origin.enabled")]
        zone = self.front_door.public_dns_zone
        if zone is not None:
            checks.append(lambda: rules.check_public_dns_zone(zone.name, self.ingress.public_fqdn,
                                                              "front_door.public_dns_zone.name"))
        rules.check_all(checks)

    def _name_scope(self) -> Environment:
        if self.subscription_id is None and self.name_suffix is None:
            raise ValueError(
                "subscription_id: globally unique names (registry, key vault) are hashed with the target "
                "subscription so they cannot collide with another organisation's; set subscription_id, or "
                "name_suffix (1-12 lowercase letters and digits, e.g. contoso01) when the subscription comes "
                "from ARM_SUBSCRIPTION_ID")
        return self

    @property
    def name_scope(self) -> str:
        """What tells this environment's globally unique names apart from everyone else's:
        `<subscription_id>` and/or `<name_suffix>`."""
        parts = [str(self.subscription_id) if self.subscription_id else "", self.name_suffix or ""]
        return "/".join(part for part in parts if part)

    @property
    def front_door_enabled(self) -> bool:
        """Whether Front Door fronts this environment: `front_door.enabled`, or by default more than
        one region."""
        if self.front_door.enabled is not None:
            return self.front_door.enabled
        return len(self.regions) > 1

    @property
    def registry_home(self) -> str:
        """Home region of the shared registry: the first region listed."""
        return self.regions[0].name

    def registry_replicas(self) -> list[str]:
        """Geo-replicas of the shared registry: every other region of the environment (single
        region: the configured or Azure-paired region); none with `geo_replication: false`."""
        if not self.container_registry.geo_replication:
            return []
        return self.replica_regions(self.registry_home)

    def replica_regions(self, region: str) -> list[str]:
        """Regions that receive a geo-replica of this region's registry (`regions.geo_replica_regions`)."""
        return geo_replica_regions(region, [r.name for r in self.regions], self.paired_region)
