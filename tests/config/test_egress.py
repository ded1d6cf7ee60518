"""The egress table: each feature on allows exactly its documented endpoints, off contributes
nothing; regional names follow the region; the README shows the table the code uses."""

from __future__ import annotations

import dataclasses

import pytest

from constructs_lib.config.egress import EGRESS, ClusterEgressSettings, egress_for, enabled_features, markdown_table
from tests.envfiles import PROJECT_ROOT

ALL_ON = ClusterEgressSettings(region="westeurope", git_host="dev.azure.com",
                               public_api_server_without_vnet_integration=False,
                               container_insights=True, managed_prometheus=True, defender=True)
ALWAYS = {"aks-core", "aks-fqdn-tag", "azure-policy", "cluster-extensions", "workload-identity", "gitops-repository"}


def destinations(settings: ClusterEgressSettings) -> set[str]:
    found: set[str] = set()
    for entry in egress_for(settings):
        found |= set(entry.fqdns) | set(entry.fqdn_tags)
        for rule in entry.network:
            found |= {f"{d}:{'/'.join(rule.protocols)}:{','.join(rule.ports)}" for d in rule.destinations}
    return found


def test_every_row_names_its_source_and_destinations():
    for entry in EGRESS:
        assert entry.source.startswith("https://learn.microsoft.com/") or entry.feature == "gitops-repository"
        assert entry.fqdns or entry.fqdn_tags or entry.network, entry.feature
    assert len({entry.feature for entry in EGRESS}) == len(EGRESS)


@pytest.mark.parametrize(("toggle", "feature", "endpoints"), [
    ("defender", "defender", {"*.cloud.defender.microsoft.com"}),
    ("container_insights", "container-insights", {"*.ingest.monitor.azure.com"}),
    ("managed_prometheus", "managed-prometheus", {"*.metrics.ingest.monitor.azure.com"}),
    ("public_api_server_without_vnet_integration", "api-server-public",
     {"*.hcp.westeurope.azmk8s.io", "AzureCloud.westeurope:TCP:443", "AzureCloud.westeurope:UDP:1194"}),
])
def test_a_feature_on_allows_its_endpoints_and_off_contributes_nothing(toggle, feature, endpoints):
    on = dataclasses.replace(ALL_ON, **{toggle: True})
    off = dataclasses.replace(ALL_ON, **{toggle: False})
    assert feature in enabled_features(on) and feature not in enabled_features(off)
    assert endpoints <= destinations(on)
    assert not endpoints & destinations(off)


def test_the_monitoring_agent_endpoints_follow_either_monitoring_add_on():
    agent = {"global.handler.control.monitor.azure.com", "westeurope.handler.control.monitor.azure.com",
             "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "*.monitoring.azure.com"}
    for container_insights, prometheus in ((True, False), (False, True)):
        settings = dataclasses.replace(ALL_ON, container_insights=container_insights, managed_prometheus=prometheus)
        assert agent <= destinations(settings)
    nothing = dataclasses.replace(ALL_ON, container_insights=False, managed_prometheus=False, defender=False)
    assert not agent & destinations(nothing)
    assert set(enabled_features(nothing)) == ALWAYS


def test_regional_and_configured_names_are_filled_in():
    found = destinations(ALL_ON)
    assert {"westeurope.handler.control.monitor.azure.com", "westeurope.dp.kubernetesconfiguration.azure.com",
            "dev.azure.com"} <= found
    assert not any("{" in name for name in found)


def test_no_service_tag_or_wildcard_host_a_private_vnet_integrated_cluster_does_not_need():
    found = destinations(ALL_ON)
    assert not any(name.startswith(("AzureCloud", "AzureMonitor")) for name in found)
    for broad in ("*.blob.core.windows.net", "*.docker.io", "*.docker.com", "raw.githubusercontent.com",
                  "api.github.com", "ntp.ubuntu.com", "*.vault.azure.net"):
        assert broad not in found


def test_the_readme_shows_the_table_the_code_uses():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert markdown_table() in readme, "regenerate the README egress table from config.egress.markdown_table()"
