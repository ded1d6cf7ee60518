"""What an AKS cluster of this baseline must reach through the hub firewall, per feature.

One table, `EGRESS`, maps each cluster feature or add-on to the FQDNs, ports and service tags
Microsoft documents for it, with the source of each row. The hub firewall policy of a region is
generated from this table and that region's cluster settings (`egress_for`): regional names take
the region, and a feature that is off contributes nothing.

Sources were read on 2026-11-29 (the AKS page as of its 2026-06-18 revision):
- OUT: "Outbound network and FQDN rules for AKS clusters",
  https://learn.microsoft.com/azure/aks/outbound-rules-control-egress
- MON: "Network firewall requirements for monitoring Kubernetes clusters",
  https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-firewall
- VNI: "API Server VNet Integration", https://learn.microsoft.com/azure/aks/api-server-vnet-integration

Deliberately absent (each decision stated where the row would be):
- `AzureCloud.<region>` TCP 443 / UDP 1194 and `*.hcp.<region>.azmk8s.io`: needed only by a public API
  server without VNet integration; with VNet integration "the agent nodes always communicate directly
  with the private IP address of the API server" (VNI), and OUT: "This isn't required for private
  clusters".
- NTP (UDP 123): "This isn't required for nodes provisioned after March 2021" (OUT); nodes take time
  from the host (https://learn.microsoft.com/azure/aks/faq).
- DNS (UDP 53) to anywhere: the spoke resolves through the firewall's DNS proxy, so no node sends
  DNS through the firewall.
- Key Vault (`*.vault.azure.net`, OUT §Secrets Store CSI): the vault is reached through its private
  endpoint, never through the firewall.
- The `AzureMonitor` service tag (OUT lists it next to the FQDNs): the FQDN rules cover the agents;
  a service-tag rule would open every Azure Monitor address of every customer.
- Marketplace-extension endpoints (`arcmktplaceprod.azurecr.io`, `marketplaceapi.microsoft.com`):
  OUT requires them only for marketplace extensions; Flux is a first-party extension.
- Image Cleaner: Microsoft documents no egress for it (https://learn.microsoft.com/azure/aks/image-cleaner).

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs_lib.config.models import Environment, Region

OUT = "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress"
MON = "https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-firewall"
FW_TAG = "https://learn.microsoft.com/azure/aks/limit-egress-traffic"


@dataclass(frozen=True)
class NetworkEgress:
    """A network rule: protocols, ports and destination addresses or service tags."""

    protocols: tuple[str, ...]
    """`TCP`, `UDP`."""
    ports: tuple[str, ...]
    destinations: tuple[str, ...]
    """Addresses or service tags; `{region}` is replaced by the region name."""


@dataclass(frozen=True)
class Egress:
    """One feature's documented egress."""

    feature: str
    """Key of the feature (`core`, `azure-monitor-agent`, ...); also the firewall rule's name."""
    title: str
    """What the feature is, in words."""
    source: str
    """Where Microsoft documents these endpoints."""
    fqdns: tuple[str, ...] = ()
    """HTTPS (443) application-rule targets; `{region}` is replaced by the region name."""
    fqdn_tags: tuple[str, ...] = ()
    """Azure Firewall FQDN tags (HTTPS 443)."""
    network: tuple[NetworkEgress, ...] = ()
    """Network rules, for destinations an application rule cannot express."""


EGRESS: tuple[Egress, ...] = (
    Egress("aks-core", "AKS required endpoints (every cluster)", f"{OUT}#azure-global-required-fqdn--application-rules",
           fqdns=("mcr.microsoft.com", "*.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net", "management.azure.com",
                  "login.microsoftonline.com", "packages.microsoft.com", "acs-mirror.azureedge.net",
                  "packages.aks.azure.com")),
    Egress("aks-fqdn-tag", "AKS FQDN tag (Azure Firewall keeps it in step with the AKS outbound rules)", FW_TAG,
           fqdn_tags=("AzureKubernetesService",)),
    Egress("api-server-public", "Public API server without VNet integration (konnectivity tunnel, pods to the API)",
           f"{OUT}#azure-global-required-network-rules",
           fqdns=("*.hcp.{region}.azmk8s.io",),
           network=(NetworkEgress(("TCP",), ("443",), ("AzureCloud.{region}",)),
                    NetworkEgress(("UDP",), ("1194",), ("AzureCloud.{region}",)))),
    Egress("azure-monitor-agent", "Container Insights and managed Prometheus through the Azure Monitor agent "
           "with managed-identity auth", MON,
           fqdns=("*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "dc.services.visualstudio.com",
                  "*.monitoring.azure.com", "global.handler.control.monitor.azure.com",
                  "{region}.handler.control.monitor.azure.com")),
    Egress("container-insights", "Container Insights logs ingestion (data collection endpoint)", MON,
           fqdns=("*.ingest.monitor.azure.com",)),
    Egress("managed-prometheus", "Managed Prometheus metrics ingestion (data collection endpoint)", MON,
           fqdns=("*.metrics.ingest.monitor.azure.com",)),
    Egress("azure-policy", "Azure Policy add-on (Gatekeeper policies and compliance reports)",
           f"{OUT}#azure-policy",
           fqdns=("data.policy.core.windows.net", "store.policy.core.windows.net",
                  "dc.services.visualstudio.com")),
    Egress("defender", "Microsoft Defender for Containers sensor", f"{OUT}#microsoft-defender-for-containers",
           fqdns=("login.microsoftonline.com", "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com",
                  "*.cloud.defender.microsoft.com")),
    Egress("cluster-extensions", "Cluster extensions (the microsoft.flux GitOps extension)",
           f"{OUT}#cluster-extensions",
           fqdns=("{region}.dp.kubernetesconfiguration.azure.com", "mcr.microsoft.com", "*.data.mcr.microsoft.com",
                  "*.ingestion.msftcloudes.com", "*.microsoftmetrics.com")),
    Egress("workload-identity", "Workload identity (pods sign in to Entra ID)", f"{OUT}#workload-identity",
           fqdns=("login.microsoftonline.com",)),
    Egress("gitops-repository", "The Git repository Flux reconciles from (`gitops.repository_url`)",
           "envs/<env>.yaml gitops.repository_url", fqdns=("{git_host}",)),
)
"""Every feature's documented egress, in firewall-rule order."""


@dataclass(frozen=True)
class ClusterEgressSettings:
    """The cluster settings that decide which features need egress."""

    region: str
    git_host: str
    public_api_server_without_vnet_integration: bool
    container_insights: bool
    managed_prometheus: bool
    defender: bool


def enabled_features(settings: ClusterEgressSettings) -> tuple[str, ...]:
    """Features of `EGRESS` the cluster uses, in table order."""
    enabled = {
        "aks-core": True,
        "aks-fqdn-tag": True,
        "api-server-public": settings.public_api_server_without_vnet_integration,
        "azure-monitor-agent": settings.container_insights or settings.managed_prometheus,
        "container-insights": settings.container_insights,
        "managed-prometheus": settings.managed_prometheus,
        "azure-policy": True,
        "defender": settings.defender,
        "cluster-extensions": True,
        "workload-identity": True,
        "gitops-repository": True,
    }
    return tuple(entry.feature for entry in EGRESS if enabled[entry.feature])


def egress_for(settings: ClusterEgressSettings) -> tuple[Egress, ...]:
    """The table rows a cluster needs, with `{region}` and `{git_host}` filled in."""

    def fill(text: str) -> str:
        return text.format(region=settings.region, git_host=settings.git_host)

    features = enabled_features(settings)
    return tuple(
        Egress(entry.feature, entry.title, entry.source,
               fqdns=tuple(dict.fromkeys(fill(f) for f in entry.fqdns)),
               fqdn_tags=entry.fqdn_tags,
               network=tuple(NetworkEgress(n.protocols, n.ports, tuple(fill(d) for d in n.destinations))
                             for n in entry.network))
        for entry in EGRESS if entry.feature in features)


def markdown_table() -> str:
    """The allow-list as the README shows it: feature, destinations, ports, source."""
    lines = ["| feature | allowed from the node subnets | port | when | source |", "|---|---|---|---|---|"]
    when = {
        "api-server-public": "public API server without VNet integration only",
        "azure-monitor-agent": "Container Insights or managed Prometheus on",
        "container-insights": "`cluster.add_ons.container_insights`",
        "managed-prometheus": "`cluster.add_ons.managed_prometheus`",
        "defender": "`cluster.add_ons.defender`",
    }
    def shown(name: str) -> str:
        return f"`{name.replace('{region}', '<region>').replace('{git_host}', '<git host>')}`"

    for entry in EGRESS:
        targets = [shown(t) for t in (*entry.fqdns, *entry.fqdn_tags)]
        ports = ["HTTPS 443"] if targets else []
        for rule in entry.network:
            targets += [shown(d) for d in rule.destinations]
            ports += [f"{'/'.join(rule.protocols)} {','.join(rule.ports)}"]
        source = entry.source if entry.source.startswith("https://") else f"`{entry.source}`"
        lines.append(f"| {entry.title} | {', '.join(dict.fromkeys(targets))} | {', '.join(dict.fromkeys(ports))} "
                     f"| {when.get(entry.feature, 'always')} | {source} |")
    return "\n".join(lines)


def cluster_egress(env: Environment, region: Region) -> tuple[Egress, ...]:
    """The egress of the cluster an environment file describes in `region`."""
    cluster = env.cluster
    return egress_for(ClusterEgressSettings(
        region=region.name,
        git_host=env.gitops.host,
        public_api_server_without_vnet_integration=not cluster.private and not cluster.api_server_vnet_integration,
        container_insights=cluster.add_ons.container_insights,
        managed_prometheus=cluster.add_ons.managed_prometheus,
        defender=cluster.add_ons.defender,
    ))
