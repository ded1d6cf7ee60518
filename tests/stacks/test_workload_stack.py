"""Workload stack: Helm through kubelogin, Flux GitOps and the generated charts in the stack folder."""

from __future__ import annotations

import pytest

from constructs_lib.config.resource_names import EnvironmentNames
from constructs_lib.stacks.contracts import AKS_ENTRA_SERVER_APP_ID
from tests.envfiles import load_yaml, planned_stacks


@pytest.fixture(scope="module", params=planned_stacks("workload"))
def workload(request, synthesized):
    return synthesized.stack(request.param)


def test_helm_authenticates_with_kubelogin_never_admin_credentials(workload, environments):
    env, _ = workload.environment(environments)
    (helm,) = workload.doc["provider"]["helm"]
    kubernetes = helm["kubernetes"]
    assert kubernetes["host"].endswith(".kube_config[0].host}")
    assert kubernetes["cluster_ca_certificate"].startswith("${base64decode(data.azurerm_kubernetes_cluster.")
    assert kubernetes["exec"]["command"] == "kubelogin"
    args = kubernetes["exec"]["args"]
    assert args[:3] == ["get-token", "--login", env.deploy.kubelogin_login]
    assert args[args.index("--server-id") + 1] == AKS_ENTRA_SERVER_APP_ID
    assert args[args.index("--tenant-id") + 1] == str(env.entra.tenant_id)
    assert not {"client_certificate", "client_key", "token", "password", "username"} & set(kubernetes)
    assert "kube_admin_config" not in str(workload.doc)
    assert workload.doc["terraform"]["required_providers"]["helm"] == {"source": "hashicorp/helm", "version": "3.1.1"}


def test_flux_reconciles_the_configured_repository(workload, environments):
    env, _ = workload.environment(environments)
    config = workload.only("azurerm_kubernetes_flux_configuration")
    assert config["git_repository"]["url"] == env.gitops.repository_url
    assert config["git_repository"]["reference_value"] == env.gitops.branch
    (kustomization,) = config["kustomizations"]
    assert kustomization["path"] == env.gitops.path
    substitute = kustomization["post_build"]["substitute"]
    assert substitute["WORKLOAD_NAMESPACE"] == env.app.namespace
    assert substitute["CLUSTER_ADMIN_GROUP_ID"] == str(env.entra.cluster_admin_group_object_ids[0])
    extension = workload.only("azurerm_kubernetes_cluster_extension")
    assert extension["cluster_id"].startswith("${data.azurerm_kubernetes_cluster.")


def test_releases_ship_their_charts_inside_the_stack_folder(workload, synthesized, environments):
    env, _ = workload.environment(environments)
    folder = synthesized.outdir / "stacks" / workload.name
    releases = {r["name"]: r for r in workload.resources("helm_release").values()}
    assert set(releases) == {"traefik-ingress", "aspnetapp"}
    for release in releases.values():
        assert release["chart"].startswith("./assets/")
        chart = (folder / release["chart"]).resolve()
        assert chart.is_relative_to(folder.resolve()), "the chart must live inside the stack folder"
        metadata = load_yaml((chart / "Chart.yaml").read_text())
        assert metadata["version"] == release["version"]
        assert release["atomic"] is True and release["wait"] is True
        assert release["namespace"] == env.app.namespace
    assert releases["aspnetapp"]["depends_on"] == [
        f"helm_release.{next(k for k, r in workload.resources('helm_release').items() if r['name'] == 'traefik-ingress')}"]
    assert releases["traefik-ingress"]["depends_on"][0].startswith("azurerm_kubernetes_flux_configuration.")


def test_ingress_client_id_is_set_at_apply_time(workload):
    traefik = next(r for r in workload.resources("helm_release").values() if r["name"] == "traefik-ingress")
    assert traefik["set"] == [{
        "name": "ingressIdentityClientId", "type": "string",
        "value": next(f"${{data.azurerm_user_assigned_identity.{k}.client_id}}"
                      for k in workload.data("azurerm_user_assigned_identity")),
    }]


def test_images_come_from_the_environments_shared_registry(workload, synthesized, environments):
    env, _ = workload.environment(environments)
    folder = synthesized.outdir / "stacks" / workload.name
    registry = EnvironmentNames.of(env).container_registry
    images = []
    for template in folder.glob("assets/*/*/templates/*.yaml"):
        doc = load_yaml(template.read_text())
        if doc.get("kind") == "Deployment":
            images += [c["image"] for c in doc["spec"]["template"]["spec"]["containers"]]
    assert len(images) == 2
    assert all(image.startswith(f"{registry}.azurecr.io/") for image in images)
