"""Values Azure would refuse at deploy time are refused at load, in plain words, before cdktf is
imported: versions and sizes Azure does not offer, settings that only make sense together, dates
and regions that cannot apply. Calendar rules are judged against a fixed date here."""

from __future__ import annotations

import datetime
import json
import re

import pytest

from constructs_lib.config import catalog
from constructs_lib.config.advisories import advisories
from constructs_lib.config.loader import load_environments
from tests.envfiles import PROJECT_ROOT, base_env, load, reference_env, refused, set_path, two_regions

TODAY = datetime.date(2026, 11, 29)


RULES = {
    "version Azure never shipped": (
        "cluster.kubernetes_version", "1.99",
        r"cluster\.kubernetes_version: '1\.99' is not a Kubernetes version AKS offers according to this project's "
        r"table \(as of 2026-08-21, .*\); use \"1\.34\" or \"1\.35\" or \"1\.36\"\. For a minor AKS released after the table, "
        r"set cluster\.allow_unlisted_kubernetes_version: true"),
    "version past community support": (
        "cluster.kubernetes_version", "1.33",
        r"cluster\.kubernetes_version: 1\.33 left AKS community support on 2026-07-17; .* Upgrade one minor at a time"),
    "patch newer than any AKS shipped": (
        "cluster", {"kubernetes_version": "1.35.40", "upgrade_channel": "none"},
        r"cluster\.kubernetes_version: '1\.35\.40' is newer than the newest 1\.35 patch in this project's table \(1\.35\.7"),
    "unlisted VM size": (
        "cluster.user_pool.vm_size", "Standard_D4d_v9",
        r"cluster\.user_pool\.vm_size: 'Standard_D4d_v9' is not in this project's VM size table \(as of 2026-08-21\); "
        r"did you mean Standard_D4d_v5.*set cluster\.allow_unlisted_vm_sizes: true"),
    "size without a local disk": (
        "cluster.user_pool.vm_size", "Standard_D4s_v5",
        r"cluster\.user_pool\.vm_size: Standard_D4s_v5 has no temp, cache or NVMe disk, so it cannot hold the "
        r"ephemeral OS disk .* e\.g\. vm_size: Standard_D4ds_v5"),
    "OS disk larger than the local disk": (
        "cluster.system_pool.os_disk_size_gb", 100,
        r"cluster\.system_pool\.os_disk_size_gb: 100 GB does not fit on Standard_D2d_v5's 75 GiB local disk"),
    "burstable system pool": (
        "cluster.system_pool", {"vm_size": "Standard_B2ms", "os_disk_size_gb": 30},
        r"cluster\.system_pool\.vm_size: Standard_B2ms is a burstable B-series size"),
    "too few pods in a pool": (
        "cluster.user_pool", {"max_pods": 10, "min_count": 2},
        r"cluster\.user_pool\.max_pods: 2 nodes x 10 pods = 20; AKS requires room for at least 30 pods"),
    "surge beyond 1000 nodes": (
        "cluster.user_pool", {"max_count": 1000, "max_surge": "10%"},
        r"cluster\.user_pool\.max_surge: 1000 nodes \+ 100 surge = 1100; AKS refuses an upgrade above 1000"),
    "DNS service IP on the API server's address": (
        "cluster.network.dns_service_ip", "172.16.0.1",
        r"cluster\.network\.dns_service_ip: 172\.16\.0\.1 is the first address of 172\.16\.0\.0/16, which Kubernetes "
        r"gives the API server's service"),
    "service range too large": (
        "cluster.network", {"service_cidr": "172.0.0.0/11", "dns_service_ip": "172.0.0.10", "pod_cidr": "10.100.0.0/16"},
        r"cluster\.network\.service_cidr: 172\.0\.0\.0/11 is larger than AKS allows; it must be smaller than a /12"),
    "service range on a reserved range": (
        "cluster.network", {"service_cidr": "172.30.0.0/16", "dns_service_ip": "172.30.0.10"},
        r"cluster\.network\.service_cidr: 172\.30\.0\.0/16 overlaps 172\.30\.0\.0/16, which AKS reserves"),
    "pod range with too few node blocks": (
        "cluster.network.pod_cidr", "10.100.0.0/22",
        r"cluster\.network\.pod_cidr: 10\.100\.0\.0/22 holds 4 node blocks of /24, but the pools reach 10 nodes"),
    "region without API server VNet integration": (
        "regions[0].name", "qatarcentral",
        r"cluster\.api_server_vnet_integration: qatarcentral does not offer API server VNet integration"),
    "budget starting too far ahead": (
        "budget.start_date", "2028-01-01",
        r"budget\.start_date: 2028-01-01 is 14 months ahead; Azure accepts a budget start at most 12 months"),
}


@pytest.mark.parametrize(("path", "value", "message"), RULES.values(), ids=RULES.keys())
def test_values_azure_would_refuse_are_refused_at_load(tmp_path, path, value, message):
    data = set_path(base_env(), path, value)
    rendered = str(refused(tmp_path, data, today=TODAY))
    assert re.search(message, rendered), rendered


def test_paired_region_only_applies_to_one_region(tmp_path):
    data = two_regions()
    data["paired_region"] = "westus2"
    assert "paired_region: only a single-region environment uses it" in str(refused(tmp_path, data, today=TODAY))


def test_too_many_authorized_ranges(tmp_path):
    ranges = [f"20.{i // 250}.{i % 250}.0/24" for i in range(201)]
    data = set_path(set_path(base_env(), "cluster.private", False), "cluster.authorized_ip_ranges", ranges)
    assert "cluster.authorized_ip_ranges: 201 ranges; AKS accepts at most 200" in str(refused(tmp_path, data, today=TODAY))


def test_the_escape_hatches_accept_values_newer_than_the_tables_and_say_so(tmp_path):
    data = set_path(base_env(), "cluster.kubernetes_version", "1.37")
    set_path(data, "cluster.user_pool.vm_size", "Standard_D4ds_v7")
    set_path(data, "cluster.allow_unlisted_kubernetes_version", True)
    set_path(data, "cluster.allow_unlisted_vm_sizes", True)
    env = load(tmp_path, data, name="dev", today=TODAY)
    notes = " ".join(advisories(env))
    assert "1.37 is not in this project's table" in notes and "Standard_D4ds_v7" in notes
    older = set_path(data, "cluster.kubernetes_version", "1.30")
    assert "'1.30' is not a Kubernetes version AKS offers" in str(refused(tmp_path, older, today=TODAY)), "the hatch is for newer only"


def test_an_unlisted_spot_pool_size_is_a_warning_too(tmp_path):
    data = set_path(base_env(), "cluster.spot_pool.vm_size", "Standard_D4ds_v7")
    set_path(data, "cluster.allow_unlisted_vm_sizes", True)
    notes = advisories(load(tmp_path, data, name="dev", today=TODAY), TODAY)
    assert any(note.startswith("cluster.spot_pool.vm_size: Standard_D4ds_v7 is not in this project's VM size table")
               for note in notes), notes


def test_support_ends_by_the_calendar(tmp_path):
    """1.35 is fine today and refused once AKS ends its community support."""
    assert load(tmp_path, base_env(), name="dev", today=TODAY).cluster.kubernetes_minor == "1.35"
    end = catalog.KUBERNETES_MINORS["1.35"].community_end
    assert "1.35 left AKS community support on 2027-03-31" in str(refused(
        tmp_path, set_path(base_env(), "budget.start_date", "2027-04-01"), today=end + datetime.timedelta(days=1)))


def test_every_table_row_is_self_consistent():
    for minor in catalog.KUBERNETES_MINORS.values():
        assert minor.aks_ga < minor.community_end
    for name, size in catalog.VM_SIZES.items():
        assert name == size.name and name.startswith("Standard_") and size.vcpus >= 1
    assert catalog.supported_minors(TODAY) == ["1.34", "1.35", "1.36"]
    assert catalog.supported_minors(TODAY + datetime.timedelta(days=2)) == ["1.35", "1.36"]


def test_suspicious_but_valid_choices_are_warnings(tmp_path):
    from constructs_lib.config.advisories import cross_environment_advisories
    from tests.envfiles import generated_environment

    copied = set_path(generated_environment("uat", "westeurope"), "paired_region", "centralus")
    env = load(tmp_path, copied, name="uat", today=TODAY)
    assert any("paired_region: centralus is not westeurope's Azure region pair (northeurope)" in n
               for n in advisories(env, TODAY))
    dev = load(tmp_path, base_env(), name="dev", today=TODAY)
    clash = load(tmp_path, set_path(set_path(base_env(), "name", "uat"), "state.storage_account_name", "sttfuat"),
                 name="uat", today=TODAY)
    notes = cross_environment_advisories([dev, clash])
    assert "uat: regions[0].spoke.address_space 10.240.0.0/16 overlaps dev's regions[0].spoke.address_space" in notes[-1]
    assert not cross_environment_advisories([dev, load(tmp_path, generated_environment("uat"), name="uat", today=TODAY)])


PURGE_PROTECTION_OFF = (
    "a production vault keeps purge protection on, so no one (a mistake or a stolen identity) can destroy its "
    "certificates and secrets for good before the soft-delete retention ends (Microsoft's Key Vault guidance); write "
    "purge_protection: true (or remove the line: on by default), or set environment_type: non-production for a "
    "disposable sandbox")


def test_a_production_vault_keeps_purge_protection(tmp_path):
    """The reported file: production with dev's sandbox vault used to synthesize without a word."""
    data = set_path(reference_env(), "key_vault", {"purge_protection": False, "soft_delete_retention_days": 7})
    (problem,) = refused(tmp_path, data, today=TODAY).problems
    assert (problem.path, problem.message) == ("key_vault.purge_protection", PURGE_PROTECTION_OFF)
    # A non-production sandbox may turn it off (the shipped dev does), and production may keep the reference's
    # 7 days of retention: Microsoft's guidance sets no production minimum beyond Azure's 7-90 days.
    assert load(tmp_path, base_env(), today=TODAY).key_vault.purge_protection is False
    kept = load(tmp_path, set_path(reference_env(), "key_vault.soft_delete_retention_days", 7), today=TODAY)
    assert (kept.key_vault.purge_protection, kept.key_vault.soft_delete_retention_days) == (True, 7)


NON_PRODUCTION_SETTINGS = {
    # allow-list `where` condition on the synthesized resource -> the env-file setting that produces it
    ("purge_protection_enabled", False): ("key_vault.purge_protection", False),
    ("sku_tier", "Free"): ("cluster.sku_tier", "Free"),
}


def test_allowlist_exceptions_for_sandbox_settings_are_out_of_a_production_files_reach(tmp_path):
    """An allow-list entry that accepts a sandbox setting (purge protection off, the Free tier) matches any stack
    whose resource holds the setting; a production file cannot produce it, so no production resource matches."""
    allowlist = json.loads((PROJECT_ROOT / "security" / "checkov-allowlist.json").read_text())
    reached = []
    for entry in allowlist["entries"]:
        for condition in entry.get("where", {}).items():
            if condition in NON_PRODUCTION_SETTINGS:
                path, value = NON_PRODUCTION_SETTINGS[condition]
                paths = [problem.path for problem in refused(tmp_path, set_path(reference_env(), path, value)).problems]
                assert path in paths, (entry["check"], paths)
                assert "non-production" in entry["reason"], entry["check"]
                reached.append(entry["check"])
    assert {"CKV_AZURE_110", "CKV_AZURE_42", "CKV_AZURE_170"} <= set(reached), reached


def test_weaker_production_choices_the_model_allows_are_said_at_every_synth(tmp_path):
    """A production file with a Standard firewall, a self-signed listener and local state loads (these are
    choices, unlike purge protection off), but not without a word; prod and dev get none of these notes."""
    data = set_path(reference_env(), "hub.firewall_sku", "Standard")
    data.pop("state")
    notes = advisories(load(tmp_path, data, today=TODAY), TODAY)
    assert [note.split(":", 1)[0] for note in notes] == ["hub.firewall_sku", "ingress.certificate_issuer", "state.backend"]
    assert notes[0].startswith("hub.firewall_sku: Standard in a production environment runs without IDPS")
    for name in ("dev", "prod"):
        env = next(env for env in load_environments(PROJECT_ROOT / "envs", TODAY) if env.name == name)
        assert not [note for note in advisories(env, TODAY) if note.split(":", 1)[0] in (
            "hub.firewall_sku", "ingress.certificate_issuer", "state.backend")], name
