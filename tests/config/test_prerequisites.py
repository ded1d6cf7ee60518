"""Prerequisites per stack come from the environment file, and the README and DEPLOY_ORDER.md show
the same ones."""

from __future__ import annotations

import re

from constructs_lib.config.prerequisites import (
    PREREQUISITE_KINDS,
    acr_import_command,
    image_source,
    prerequisites,
)
from constructs_lib.config.resource_names import EnvironmentNames
from constructs_lib.config.stack_plan import stack_plan
from tests.envfiles import PROJECT_ROOT, base_env, load, set_path, two_regions_public_ca


def _by_kind(items):
    return {item.kind: item for item in items}


def test_every_planned_stack_has_an_entry_of_known_kinds(environments):
    for env in environments:
        found = prerequisites(env)
        assert list(found) == [planned.name for planned in stack_plan(env)]
        for items in found.values():
            assert {item.kind for item in items} <= set(PREREQUISITE_KINDS)


def test_image_imports_name_the_environments_shared_registry(environments):
    for env in environments:
        registry = EnvironmentNames.of(env).container_registry
        for region in env.regions:
            images = _by_kind(prerequisites(env)[f"{env.name}-{region.name}-workload"])["images"]
            assert images.commands == (
                f"az acr import --name {registry} --source docker.io/library/traefik:v3.4.5 --image traefik:v3.4.5",
                f"az acr import --name {registry} --source mcr.microsoft.com/dotnet/samples:aspnetapp-9.0 "
                "--image dotnet/samples:aspnetapp-9.0")


def test_image_sources_follow_the_environment_file(tmp_path):
    assert image_source("traefik:v3.5.0") == "docker.io/library/traefik:v3.5.0"
    digest = "sha256:" + "a" * 64
    assert acr_import_command("crx", f"contoso/app:1.2@{digest}") == (
        f"az acr import --name crx --source <public-registry>/contoso/app:1.2@{digest} --image contoso/app:1.2")
    env = load(tmp_path, set_path(base_env(), "app.traefik_image", "traefik:v3.5.0"))
    assert "traefik:v3.5.0" in _by_kind(prerequisites(env)["dev-eastus2-workload"])["images"].commands[0]


def test_the_workload_stack_needs_the_private_api_server_kubelogin_and_the_manifests(environments):
    env = environments[0]
    items = _by_kind(prerequisites(env)[f"{env.name}-{env.regions[0].name}-workload"])
    assert {"images", "manifests", "network", "kubelogin"} <= set(items)
    assert env.gitops.repository_url in items["manifests"].text
    assert f"--login {env.deploy.kubelogin_login}" in items["kubelogin"].text
    assert str(env.regions[0].spoke.subnets.api_server) in items["network"].text
    cluster = _by_kind(prerequisites(env)[f"{env.name}-{env.regions[0].name}-cluster"])
    assert cluster["feature"].commands[0] == "az feature register --namespace Microsoft.Compute --name EncryptionAtHost"


def test_the_bootstrap_lists_the_migration_and_the_github_variables(environments):
    for env in environments:
        items = _by_kind(prerequisites(env)[f"{env.name}-bootstrap"])
        assert items["state"].commands[-1] == f"cd cdktf.out/stacks/{env.name}-bootstrap && terraform init -migrate-state"
        variables = [re.match(r"gh variable set (\w+) .* --env (\S+) ", c).groups() for c in items["github"].commands]
        assert sorted(variables) == sorted((v, e) for v in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID")
                                           for e in (f"{env.name}-plan", env.name))


def test_a_public_cluster_needs_no_network_reach_prerequisite(tmp_path):
    data = set_path(base_env(), "cluster.private", False)
    set_path(data, "cluster.authorized_ip_ranges", ["20.51.10.0/28"])
    items = _by_kind(prerequisites(load(tmp_path, data))["dev-eastus2-workload"])
    assert "network" not in items and "kubelogin" in items


def test_the_readme_explains_every_kind_of_prerequisite():
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("### Prerequisites per stack")[1].split("\n## ")[0].split("\n### ")[0]
    for title in PREREQUISITE_KINDS.values():
        assert f"**{title}**" in section, f"README 'Prerequisites per stack' does not explain {title!r}"


def test_with_cloud_state_the_bootstrap_and_the_first_stack_name_their_workspaces(tmp_path):
    data = set_path(base_env(), "state", {"backend": "cloud", "organization": "contoso", "project": "aks-baseline",
                                          "workspace_name": "aks-{stack}"})
    found = prerequisites(load(tmp_path, data))
    bootstrap = _by_kind(found["dev-bootstrap"])
    assert "in its own workspace" in bootstrap["rights"].text and "local state" not in bootstrap["rights"].text
    for stack in ("dev-bootstrap", "dev-eastus2-hub"):
        state = _by_kind(found[stack])["state"]
        assert "`aks-{stack}`" in state.text and "organization `contoso`" in state.text
        assert state.commands == ("terraform login app.terraform.io",)


def test_a_ca_issuer_and_a_public_zone_are_prerequisites_where_they_apply(tmp_path):
    data = two_regions_public_ca()
    env = load(tmp_path, data)
    found = prerequisites(env)
    issuer = _by_kind(found["dev-eastus2-cluster"])["issuer"]
    assert f"`{env.ingress.certificate_issuer}` exists on the Key Vault" in issuer.text
    assert any("az keyvault certificate issuer create" in command for command in issuer.commands)
    assert "issuer" not in _by_kind(prerequisites(load(tmp_path, base_env()))["dev-eastus2-cluster"]), "Self needs none"
    assert "rights" in _by_kind(found["dev-global"]) and "state" in _by_kind(found["dev-global"])
    assert "no `front_door.public_dns_zone` is named" in _by_kind(found["dev-routing"])["dns"].text
    data["front_door"] = {**data.get("front_door", {}), "public_dns_zone": {"name": "contoso.com", "resource_group_name": "rg-dns"}}
    zoned = prerequisites(load(tmp_path, data))
    assert "zone `contoso.com` exists in resource group `rg-dns`" in _by_kind(zoned["dev-global"])["dns"].text
    assert "CNAME record" in _by_kind(zoned["dev-routing"])["dns"].text


def test_the_image_import_says_where_the_copies_live(tmp_path):
    """Geo-replication copies an imported image to the registry's replicas; with
    `container_registry.geo_replication: false` (dev) there is none to copy to."""
    def images(data):
        env = load(tmp_path, data)
        return _by_kind(prerequisites(env)[f"{env.name}-{env.regions[-1].name}-workload"])["images"].text

    without = images(set_path(base_env(), "container_registry", {"geo_replication": False}))
    assert "into its home region eastus2: with `container_registry.geo_replication: false` the registry has no " \
           "replica, so the images exist there only" in without and "copies" not in without
    assert images(set_path(base_env(), "container_registry", {"geo_replication": True})).endswith(
        "import them once into its home region eastus2; geo-replication copies them to the replica in centralus.")
    two = load(tmp_path, two_regions_public_ca())
    assert images(two_regions_public_ca()).endswith(
        f"geo-replication copies them to the replica in {two.regions[1].name}.")


def test_without_a_ci_section_no_text_counts_on_a_pipeline_identity(tmp_path):
    data = base_env()
    data.pop("ci")
    env = load(tmp_path, data)
    found = prerequisites(env)
    bootstrap = _by_kind(found["dev-bootstrap"])["rights"].text
    assert "creates no pipeline identity and grants nothing" in bootstrap and "grants the pipeline" not in bootstrap
    first = _by_kind(found["dev-global"])["rights"].text
    assert "your `az login`, which needs Contributor" in first and "as the bootstrap grants" not in first
    assert "deploy identity" not in _by_kind(found["dev-eastus2-workload"])["kubelogin"].text
    with_ci = prerequisites(load(tmp_path, base_env()))
    assert "deploy identity of GitHub environment `dev`" in _by_kind(with_ci["dev-global"])["rights"].text
    assert "deploy_identity_principal_id" in _by_kind(with_ci["dev-eastus2-workload"])["kubelogin"].text


def test_the_state_account_is_reached_the_way_its_network_rules_allow(tmp_path):
    """The bootstrap admits `ci.runner_ip_ranges` to the state account, and closes its public access
    when there are none."""
    closed = _by_kind(prerequisites(load(tmp_path, base_env()))["dev-eastus2-hub"])["state"].text
    assert "through a private endpoint of the account, since its public network access is off" in closed
    assert "its address is in" not in closed
    opened = load(tmp_path, set_path(base_env(), "ci.runner_ip_ranges", ["20.51.10.0/28"]))
    for stack in ("dev-eastus2-hub", "dev-bootstrap"):
        text = _by_kind(prerequisites(opened)[stack])["state"].text
        assert "from an address in `ci.runner_ip_ranges` (20.51.10.0/28)" in text and "private endpoint" not in text
