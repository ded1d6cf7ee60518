"""Environment files: typed parsing and every field-level rule, each with its message."""

from __future__ import annotations

import pytest

from constructs_lib.config.loader import ConfigError, load_environments
from constructs_lib.config.rules import image_tag
from tests.envfiles import base_env, load, reference_env, refused, set_path, two_regions, write_env


def test_every_environment_file_loads_under_its_own_name(environments):
    """Whatever envs/ holds (plus the generated environment) loads, each under its file's name."""
    from tests.envfiles import GENERATED_NAME, shipped_environment_names

    assert {env.name for env in environments} == shipped_environment_names() | {GENERATED_NAME}
    assert all(env.regions for env in environments)


def test_defaults_mirror_the_reference(tmp_path):
    env = load(tmp_path, reference_env())
    cluster = env.cluster
    assert (cluster.kubernetes_version, cluster.upgrade_channel) == ("1.35", "patch")
    assert (cluster.network.plugin_mode, cluster.network.data_plane) == ("overlay", "cilium")
    assert cluster.api_server_vnet_integration is True
    assert cluster.add_ons.model_dump() == {"container_insights": True, "managed_prometheus": True,
                                            "defender": True, "image_cleaner": True}
    assert env.deploy.role_propagation_seconds == 120
    assert str(cluster.network.overlay_pod_cidr) == "192.168.0.0/16"
    assert str(cluster.network.service_cidr) == "172.16.0.0/16"
    assert (cluster.system_pool.vm_size, cluster.system_pool.min_count, cluster.system_pool.max_count) == (
        "Standard_D2d_v5", 3, 4)
    assert (cluster.user_pool.name, cluster.user_pool.vm_size, cluster.user_pool.min_count,
            cluster.user_pool.max_count) == ("npuser01", "Standard_D4d_v5", 2, 5)
    assert cluster.user_pool.max_pods == 30
    assert env.regions[0].zones == ("1", "2", "3")


def test_state_backend_defaults_to_local(tmp_path):
    data = base_env()
    del data["state"]
    assert load(tmp_path, data).state.backend == "local"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("surprise", 1, r"surprise: unknown key"),
        ("regions[0].spoke.subnets.nodez", "10.240.0.0/22", r"regions\[0\]\.spoke\.subnets\.nodez: unknown key"),
        ("state.access_key", "secret", r"state\.access_key: unknown key"),
        ("regions[0].name", "eastus9", r"regions\[0\]\.name: 'eastus9' is not an Azure region name"),
        ("regions[0].zones", ["1", "4"], r"regions\[0\]\.zones\[1\]: '4' is not one of: 1, 2, 3"),
        ("regions[0].zones", ["1", "1"], r"regions\[0\]\.zones: zone 1 is listed more than once; list each zone once, e\.g\. zones: \[\"1\", \"2\", \"3\"\]"),
        ("regions[0].hub.subnets.firewall", "10.200.0.1/26", r"regions\[0\]\.hub\.subnets\.firewall: '10\.200\.0\.1/26' is not a network address: a /26 starts at 10\.200\.0\.0, so write 10\.200\.0\.0/26"),
        ("regions[0].spoke.address_space", 42, r"expected a CIDR string"),
        ("regions[0].spoke.ingress_load_balancer_ip", "10.240.4.400", r"'10\.240\.4\.400' is not an IPv4 address \(four numbers from 0 to 255 separated by dots\), e\.g\. 10\.240\.4\.4"),
        ("workload", "BU-0001", r"workload: \'BU-0001\' is not a workload name: 3-12 lowercase letters and digits, starting with a letter \(for example bu0001a0008\)"),
        ("name", "Dev", r"name: \'Dev\' is not an environment name: 2-8 lowercase letters and digits, starting with a letter \(for example staging\)"),
        ("cluster.user_pool.min_count", 6, r"cluster\.user_pool\.min_count: 6 is more than max_count \(3\); the minimum "
         r"must not exceed the maximum, e\.g\. min_count: 3 or max_count: 6"),
        ("cluster.user_pool.max_count", 1001, r"cluster\.user_pool\.max_count: 1001 is above the maximum of 1000"),
        ("cluster.user_pool.max_pods", 300, r"cluster\.user_pool\.max_pods: 300 is above the maximum of 250"),
        ("cluster.user_pool.name", "npsystem", r"cluster\.user_pool\.name: 'npsystem' is already system_pool's name; "
         r"e\.g\. name: npuser01"),
        ("cluster.user_pool.name", "npsystemtmp", r"cluster\.user_pool\.name: 'npsystemtmp' is the name system_pool's "
         r"temporary stand-in gets while 'npsystem' is rotated \(<first 9 characters>tmp\), so both would exist at "
         r"once; e\.g\. name: npuser01"),
        ("cluster.system_pool.min_count", 1, r"system_pool\.min_count: 1 is below 2"),
        ("cluster.network.dns_service_ip", "10.0.0.10", r"dns_service_ip: 10\.0\.0\.10 is outside service_cidr"),
        ("app_gateway.min_capacity", 20, r"app_gateway\.min_capacity: 20 is more than max_capacity \(2\)"),
        ("paired_region", "eastus2", r"paired_region: eastus2 is already a region"),
        ("state.storage_account_name", "Not-Valid", r"state\.storage_account_name: \'Not-Valid\' is not a storage account name"),
        ("subscription_id", "not-a-guid", r"subscription_id: \'not-a-guid\' is not a GUID: 8-4-4-4-12 hexadecimal digits \(for example 0{8}-"),
        ("regions", [], r"regions: needs at least 1 entry"),
    ],
)
def test_field_rules(tmp_path, path, value, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load(tmp_path, set_path(base_env(), path, value), name="dev")
    assert str(caught.value).startswith(str(tmp_path / "dev.yaml"))


def test_flat_cni_rejects_pod_cidr(tmp_path):
    data = set_path(base_env(), "cluster.network", {"plugin_mode": "flat", "data_plane": "azure", "pod_cidr": "192.168.0.0/16"})
    with pytest.raises(ConfigError, match=r"pod_cidr: flat Azure CNI gives pods addresses from the node subnet"):
        load(tmp_path, data)


def test_zones_need_a_zone_redundant_region(tmp_path):
    data = set_path(base_env(), "regions[0].name", "westus")
    with pytest.raises(ConfigError, match=r"region westus has no availability zones; set zones: \[\]"):
        load(tmp_path, data)
    set_path(data, "regions[0].zones", [])
    set_path(data, "paired_region", "eastus")
    assert load(tmp_path, data).regions[0].zones == ()


def test_missing_required_field(tmp_path):
    data = base_env()
    del data["regions"][0]["spoke"]
    with pytest.raises(ConfigError, match=r"regions\[0\]\.spoke: required field is missing"):
        load(tmp_path, data)


def test_name_must_match_file(tmp_path):
    with pytest.raises(ConfigError, match=r"name: 'dev' must match the file name 'staging'"):
        load(tmp_path, base_env(), name="staging")


def test_duplicate_region(tmp_path):
    data = two_regions()
    data["regions"][1]["name"] = "eastus2"
    with pytest.raises(ConfigError, match=r"regions\[1\]\.name: eastus2 is already regions\[0\]; list each region once"):
        load(tmp_path, data)


def test_every_problem_is_reported(tmp_path):
    data = set_path(base_env(), "regions[0].name", "nowhere")
    set_path(data, "cluster.user_pool.max_pods", 5)
    assert len(refused(tmp_path, data).problems) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: dev\n  bad: [", r"YAML syntax error: line 2"),
        ("- just\n- a list\n", r"the file is a list; an environment file must be a mapping"),
        ("", r"the file is empty"),
        ("name: dev\nname: prod\n", r"duplicate key 'name'"),
        ("a: &x [1]\nb: *x\n", r"a: unknown key"),
    ],
)
def test_broken_files(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, text, name="dev")


def test_folder_rules(tmp_path):
    with pytest.raises(ConfigError, match=r"no environment files"):
        load_environments(tmp_path)
    with pytest.raises(ConfigError, match=r"the environments folder does not exist"):
        load_environments(tmp_path / "missing")
    write_env(tmp_path, base_env())
    (tmp_path / "dev.yml").write_text("name: dev\n")
    with pytest.raises(ConfigError, match=r"environment dev is defined by both a \.yaml and a \.yml file"):
        load_environments(tmp_path)


def test_folder_error_names_each_broken_file(tmp_path):
    write_env(tmp_path, set_path(base_env(), "workload", "X"))
    prod = set_path(base_env(), "name", "prod")
    write_env(tmp_path, set_path(prod, "owner", ""))
    with pytest.raises(ConfigError) as caught:
        load_environments(tmp_path)
    rendered = str(caught.value)
    assert f"{tmp_path / 'dev.yaml'}: workload:" in rendered
    assert f"{tmp_path / 'prod.yaml'}: owner:" in rendered


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("cluster.authorized_ip_ranges", ["203.0.113.0/24"],
         r"authorized_ip_ranges: a private cluster's API server has no public endpoint to restrict"),
        ("cluster.private", False, r"a public API server must be limited to named source ranges"),
        ("cluster.maintenance.start", "25:00", r"cluster\.maintenance\.start: \'25:00\' is not a 24-hour time: HH:MM \(for example \"21:00\"\)"),
        ("cluster.maintenance.duration_hours", 2, r"cluster\.maintenance\.duration_hours: 2 is below the minimum of 4"),
        ("cluster.sku_tier", "Paid", r"cluster\.sku_tier: 'Paid' is not one of: Free, Standard, Premium"),
        ("entra.cluster_admin_group_object_ids", [], r"entra\.cluster_admin_group_object_ids: needs at least 1 entry"),
        ("entra.tenant_id", "contoso", r"entra\.tenant_id: \'contoso\' is not a GUID"),
        ("ingress.domain", "Contoso..com", r"ingress\.domain: \'Contoso\.\.com\' is not a lowercase DNS name: .* \(for example contoso\.com\)"),
        ("key_vault.soft_delete_retention_days", 120, r"key_vault\.soft_delete_retention_days: 120 is above the maximum of 90"),
        ("monitoring.alert_emails", ["not-an-email"], r"monitoring\.alert_emails\[0\]: \'not-an-email\' is not an e-mail address: local part @ dotted domain \(for example aks-ops@contoso\.com\)"),
        ("monitoring.alert_emails", [], r"monitoring\.alert_emails: needs at least 1 entry"),
        ("monitoring.workspace", "central", r"monitoring\.workspace: 'central' is not one of: workload, hub"),
        ("budget.thresholds", [80, 80], r"budget\.thresholds: \[80, 80\] must be distinct"),
        ("budget.start_date", "2026-12-15", r"budget\.start_date: \'2026-12-15\' is not the first day of a month: YYYY-MM-01"),
        ("budget.monthly_amount", 0, r"budget\.monthly_amount: 0 must be greater than 0"),
    ],
)
def test_cluster_settings_rules(tmp_path, path, value, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, set_path(base_env(), path, value), name="dev")


def test_public_cluster_with_ranges_is_accepted(tmp_path):
    data = set_path(base_env(), "cluster.private", False)
    set_path(data, "cluster.authorized_ip_ranges", ["203.0.113.0/24"])
    env = load(tmp_path, data)
    assert [str(r) for r in env.cluster.authorized_ip_ranges] == ["203.0.113.0/24"]
    assert env.budget.thresholds == (50, 80, 100)
    assert env.ingress.public_fqdn == "bicycle-dev.contoso.com"
    assert env.ingress.internal_zone == "aks-ingress.contoso.com"


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("app.image", "dotnet/samples:latest", r"app\.image: 'dotnet/samples:latest' uses the moving tag 'latest'"),
        ("app.traefik_image", "traefik", r"app\.traefik_image: 'traefik' is not an image reference"),
        ("app.min_replicas", 1, r"app\.min_replicas: 1 is below the minimum of 2"),
        ("app.max_replicas", 2, r"app\.min_replicas: 3 is more than max_replicas \(2\); the minimum must not exceed "
         r"the maximum, e\.g\. min_replicas: 2 or max_replicas: 3"),
        ("app.traefik_replicas", 1, r"app\.traefik_replicas: 1 is below the minimum of 2"),
        ("gitops.repository_url", "http://github.com/x/y", r"gitops\.repository_url: \'http://github\.com/x/y\' is not a Git repository URL: https://<host>/<path>"),
        ("gitops.path", "/abs", r"gitops\.path: \'/abs\' is not a folder relative to the repository root"),
        ("deploy.kubelogin_login", "admin", r"deploy\.kubelogin_login: 'admin' is not one of: azurecli, workloadidentity, spn, msi"),
    ],
)
def test_workload_settings_rules(tmp_path, path, value, message):
    data = set_path(base_env(), path, value)
    if path == "app.max_replicas":
        set_path(data, "app.min_replicas", 3)
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, data, name="dev")


def test_gitops_host(tmp_path):
    assert load(tmp_path, base_env()).gitops.host == "github.com"


def test_counts_must_be_integers_not_booleans(tmp_path):
    with pytest.raises(ConfigError, match=r"cluster\.user_pool\.min_count: must be a whole number, got the boolean true \(YAML reads yes/no/on/off as booleans\)"):
        load(tmp_path, set_path(base_env(), "cluster.user_pool.min_count", True), name="dev")


def test_cidrs_need_a_prefix(tmp_path):
    with pytest.raises(ConfigError, match=r"regions\[0\]\.spoke\.address_space: '10\.240\.0\.0' has no prefix length"):
        load(tmp_path, set_path(base_env(), "regions[0].spoke.address_space", "10.240.0.0"), name="dev")


def test_zones_may_be_written_as_numbers(tmp_path):
    assert load(tmp_path, set_path(base_env(), "regions[0].zones", [3, 1, 2])).regions[0].zones == ("1", "2", "3")


def test_images_may_be_pinned_by_digest(tmp_path):
    digest = "sha256:" + "ab" * 32
    env = load(tmp_path, set_path(base_env(), "app.image", f"dotnet/samples:aspnetapp-9.0@{digest}"))
    assert image_tag(env.app.image) == "aspnetapp-9.0"
    with pytest.raises(ConfigError, match=r"app\.image: .* uses the moving tag 'latest'"):
        load(tmp_path, set_path(base_env(), "app.image", f"dotnet/samples:latest@{digest}"))


# --- issue 9: versions, network data plane, add-ons, RBAC propagation ------------------------------

def test_the_patch_channel_takes_a_minor_version_and_a_manual_channel_may_pin_a_patch(tmp_path):
    data = set_path(base_env(), "cluster.kubernetes_version", "1.35.4")
    with pytest.raises(ConfigError, match=r"cluster\.kubernetes_version: '1\.35\.4' pins a patch, but the patch "
                                          r"upgrade channel applies patches automatically; write \"1\.35\""):
        load(tmp_path, data)
    data["cluster"]["upgrade_channel"] = "none"
    assert load(tmp_path, data).cluster.kubernetes_minor == "1.35"


def test_cilium_needs_overlay(tmp_path):
    data = set_path(base_env(), "cluster.network", {"plugin_mode": "flat"})
    with pytest.raises(ConfigError, match=r"cluster\.network\.data_plane: cilium needs plugin_mode: overlay"):
        load(tmp_path, data)


def test_the_retiring_network_policy_engine_is_selectable_with_a_warning(tmp_path):
    from constructs_lib.config.advisories import advisories

    env = load(tmp_path, set_path(base_env(), "cluster.network", {"data_plane": "azure"}))
    (note,) = advisories(env)
    assert note.startswith("cluster.network.data_plane: azure uses Azure Network Policy Manager, which Microsoft "
                           "is retiring (Linux support ends 2028-09-30")
    assert not advisories(load(tmp_path, base_env()))


@pytest.mark.parametrize("seconds", [-1, 1801, True])
def test_role_propagation_wait_is_bounded(tmp_path, seconds):
    with pytest.raises(ConfigError, match=r"deploy\.role_propagation_seconds"):
        load(tmp_path, set_path(base_env(), "deploy.role_propagation_seconds", seconds))


def test_add_ons_are_booleans(tmp_path):
    env = load(tmp_path, set_path(base_env(), "cluster.add_ons", {"defender": False, "image_cleaner": False}))
    assert (env.cluster.add_ons.defender, env.cluster.add_ons.container_insights) == (False, True)
    with pytest.raises(ConfigError, match=r"cluster\.add_ons\.azure_policy: unknown key"):
        load(tmp_path, set_path(base_env(), "cluster.add_ons", {"azure_policy": False}))
