"""Address planning: containment, overlap, Azure minimum sizes and capacity math, with numbers."""

from __future__ import annotations

import ipaddress

import pytest

from constructs_lib.config.address_plan import node_subnet_demand, usable_addresses
from constructs_lib.config.loader import ConfigError
from tests.envfiles import base_env, load, reference_env, refused, set_path, two_regions


def test_azure_reserves_five_addresses():
    assert usable_addresses(ipaddress.IPv4Network("10.240.0.0/22")) == 1019
    assert usable_addresses(ipaddress.IPv4Network("10.240.4.0/28")) == 11
    assert usable_addresses(ipaddress.IPv4Network("10.0.0.0/30")) == 0


def test_node_demand_overlay_counts_nodes_and_surge(tmp_path):
    env = load(tmp_path, reference_env())
    pools = [env.cluster.system_pool, env.cluster.user_pool]
    # 33% surge rounds up: ceil(4 * .33) = 2, ceil(5 * .33) = 2
    assert node_subnet_demand(pools, flat_cni=False)[0] == (4 + 2) + (5 + 2)
    # Flat Azure CNI: every node also reserves max_pods addresses.
    assert node_subnet_demand(pools, flat_cni=True)[0] == (4 + 2) * 31 + (5 + 2) * 31


def test_surge_as_node_count(tmp_path):
    env = load(tmp_path, set_path(reference_env(), "cluster.user_pool.max_surge", "3"))
    assert env.cluster.user_pool.surge_nodes() == 3


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("regions[0].hub.subnets.bastion", "10.200.1.0/26",
         r"regions\[0\]\.hub\.subnets\.bastion: 10\.200\.1\.0/26 lies outside the hub address space 10\.200\.0\.0/24"),
        ("regions[0].spoke.subnets.ingress", "10.240.0.0/28",
         r"(?m)yaml: regions\[0\]\.spoke\.subnets\.ingress: 10\.240\.0\.0/28 overlaps regions\[0\]\.spoke\.subnets\.nodes "
         r"10\.240\.0\.0/22; subnets of a VNet must not overlap, e\.g\. ingress: 10\.240\.4\.0/28$"),
        ("regions[0].hub.subnets.firewall", "10.200.0.0/27",
         r"firewall: 10\.200\.0\.0/27 is a /27; AzureFirewallSubnet must be /26 or larger \(64 addresses, this one has 32\)"),
        ("regions[0].hub.subnets.bastion", "10.200.0.128/27",
         r"bastion: 10\.200\.0\.128/27 is a /27; AzureBastionSubnet must be /26 or larger"),
        ("regions[0].hub.subnets.gateway", "10.200.0.64/28",
         r"gateway: 10\.200\.0\.64/28 is a /28; GatewaySubnet should be /27 or larger"),
        ("regions[0].spoke.subnets.api_server", "10.240.7.0/29",
         r"api_server: 10\.240\.7\.0/29 is a /29; the API server VNet-integration subnet must be /28 or larger"),
        ("regions[0].spoke.subnets.app_gateway", "10.240.5.0/29",
         r"app_gateway: 10\.240\.5\.0/29 holds 3 usable addresses; WAF_v2 autoscaling to 10 instances needs 11"),
        ("regions[0].spoke.subnets.private_endpoints", "10.240.4.32/30",
         r"private_endpoints: 10\.240\.4\.32/30 holds 0 usable addresses; the registry \(1 \+ 1 regional data endpoints\) and key vault \(1\) private endpoints need 3"),
        ("regions[0].spoke.ingress_load_balancer_ip", "10.240.4.20",
         r"ingress_load_balancer_ip: 10\.240\.4\.20 lies outside the ingress subnet 10\.240\.4\.0/28"),
        ("regions[0].spoke.ingress_load_balancer_ip", "10.240.4.1",
         r"10\.240\.4\.1 is one of the 5 addresses Azure reserves in the ingress subnet 10\.240\.4\.0/28; use 10\.240\.4\.4 to 10\.240\.4\.14"),
        ("cluster.network.pod_cidr", "10.240.0.0/16",
         r"cluster\.network\.pod_cidr: 10\.240\.0\.0/16 overlaps regions\[0\]\.spoke\.address_space 10\.240\.0\.0/16"),
        ("cluster.network", {"service_cidr": "10.200.0.0/16", "dns_service_ip": "10.200.0.10"},
         r"cluster\.network\.service_cidr: 10\.200\.0\.0/16 overlaps regions\[0\]\.hub\.address_space"),
        ("cluster.network", {"pod_cidr": "172.16.0.0/14"},
         r"cluster\.network\.service_cidr: 172\.16\.0\.0/16 overlaps the pod range 172\.16\.0\.0/14"),
        ("cluster.network", {"service_cidr": "192.168.0.0/24", "dns_service_ip": "192.168.0.10"},
         r"cluster\.network\.service_cidr: 192\.168\.0\.0/24 overlaps the pod range 192\.168\.0\.0/16"),
    ],
)
def test_address_rules(tmp_path, path, value, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, set_path(reference_env(), path, value))


def test_node_subnet_capacity_overlay(tmp_path):
    data = set_path(reference_env(), "regions[0].spoke.subnets.nodes", "10.240.0.0/29")
    with pytest.raises(ConfigError, match=(
            r"nodes: 10\.240\.0\.0/29 holds 3 usable addresses \(8 - 5 reserved by Azure\); with Azure CNI "
            r"Overlay the pools need 13 at full scale during an upgrade \(npsystem: 4 max \+ 2 surge = 6; "
            r"npuser01: 5 max \+ 2 surge = 7\)")):
        load(tmp_path, data)


def test_node_subnet_capacity_flat_cni_counts_pods(tmp_path):
    data = set_path(reference_env(), "cluster.network", {"plugin_mode": "flat", "data_plane": "azure"})
    set_path(data, "regions[0].spoke.subnets.nodes", "10.240.0.0/24")
    with pytest.raises(ConfigError, match=(
            r"10\.240\.0\.0/24 holds 251 usable addresses .* with flat Azure CNI \(each pod takes a subnet IP\) "
            r"the pools need 403 .*npsystem: \(4 max \+ 2 surge\) x \(30 pods \+ 1\) = 186")):
        load(tmp_path, data)
    # The same pools fit a /23 (507 usable) — and the reference /22 with room to spare.
    set_path(data, "regions[0].spoke.subnets.nodes", "10.240.0.0/23")
    assert load(tmp_path, data).cluster.network.plugin_mode == "flat"


def test_overlapping_regions(tmp_path):
    data = two_regions()
    data["regions"][1]["spoke"]["address_space"] = "10.240.128.0/17"
    for key in ("nodes", "ingress", "private_endpoints", "app_gateway", "api_server"):
        network = ipaddress.IPv4Network(data["regions"][1]["spoke"]["subnets"][key])
        shifted = ipaddress.IPv4Network((int(network.network_address) - (1 << 16) + (128 << 8), network.prefixlen))
        data["regions"][1]["spoke"]["subnets"][key] = str(shifted)
    data["regions"][1]["spoke"]["ingress_load_balancer_ip"] = "10.240.132.4"
    with pytest.raises(ConfigError, match=(
            r"regions\[1\]\.spoke\.address_space: 10\.240\.128\.0/17 overlaps regions\[0\]\.spoke\.address_space "
            r"10\.240\.0\.0/16")):
        load(tmp_path, data)


def test_two_region_plan_is_valid(tmp_path):
    env = load(tmp_path, two_regions())
    assert env.replica_regions("eastus2") == ["centralus"]
    assert env.replica_regions("centralus") == ["eastus2"]


def test_a_file_with_schema_errors_counts_registry_replicas_as_the_model_does(tmp_path):
    """A single region without an Azure pair has no registry replica: its /29 endpoint subnet (3
    usable addresses) holds the registry, its home data endpoint and the vault, whether or not
    another section of the file is broken."""
    data = set_path(base_env(), "regions[0].name", "italynorth")
    data.pop("paired_region")
    set_path(data, "container_registry.geo_replication", True)
    set_path(data, "regions[0].spoke.subnets.private_endpoints", "10.240.4.32/29")
    assert load(tmp_path, data).registry_replicas() == []
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, set_path(data, "monitoring.alert_emails", ["aks-ops"]))
    assert [problem.path for problem in caught.value.problems] == ["monitoring.alert_emails[0]"]


def test_the_examples_of_one_run_apply_together(tmp_path):
    """Moving the ingress subnet and the load-balancer IP are one fix: the IP example lies in the subnet
    example, and an IP that already fits the suggested subnet gets no message of its own; two moved
    subnets are not both sent to the same free range."""
    data = base_env()
    set_path(data, "regions[0].spoke.subnets.ingress", "10.240.3.0/28")  # overlaps nodes 10.240.0.0/22
    found = {p.path: p.message for p in refused(tmp_path, data).problems}
    assert found["regions[0].spoke.subnets.ingress"].endswith("e.g. ingress: 10.240.4.0/28")
    assert "regions[0].spoke.ingress_load_balancer_ip" not in found, found  # 10.240.4.4 fits 10.240.4.0/28
    set_path(data, "regions[0].spoke.ingress_load_balancer_ip", "10.240.3.4")
    found = {p.path: p.message for p in refused(tmp_path, data).problems}
    assert found["regions[0].spoke.ingress_load_balancer_ip"].endswith(
        "outside the ingress subnet 10.240.4.0/28 suggested above; use an address from 10.240.4.4 to 10.240.4.14, "
        "e.g. ingress_load_balancer_ip: 10.240.4.4"), found
    set_path(data, "regions[0].spoke.subnets.private_endpoints", "10.240.3.16/28")
    set_path(data, "regions[0].spoke.subnets.app_gateway", "10.240.4.0/24")  # leaves no /28 in 10.240.4.0/24
    examples = [m.rsplit(": ", 1)[1] for p, m in ((p.path, p.message) for p in refused(tmp_path, data).problems)
                if p.endswith(("subnets.ingress", "subnets.private_endpoints")) and "e.g." in m]
    assert len(examples) == len(set(examples)), examples


@pytest.mark.parametrize(("path", "value", "home"), [
    ("regions[0].hub.address_space", "10.240.0.0/24", "10.200.0.0/24"),
    ("regions[0].spoke.address_space", "10.200.0.0/16", "10.240.0.0/16"),
])
def test_a_vnet_moved_onto_another_is_sent_back_to_its_subnets(tmp_path, path, value, home):
    """The VNet whose address space was moved (its subnets stayed) is the one blamed, sent back to where its
    subnets lie, in one message: not "move every subnet" plus "move the other VNet", which contradict."""
    data = set_path(base_env(), path, value)
    found = [(p.path, p.message) for p in refused(tmp_path, data).problems]
    assert len(found) == 1 and found[0][0] == path and found[0][1].endswith(f"e.g. address_space: {home}"), found
    load(tmp_path, set_path(data, path, home))
