"""Flux GitOps construct: extension controllers and the bootstrap configuration."""

from __future__ import annotations

import pytest

from constructs_lib.workload.flux_gitops import FluxGitOps, FluxGitOpsProps
from tests.synth import synth_construct

PROPS = {"cluster_id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
         "repository_url": "https://github.com/contoso/aks-baseline-cdktf", "branch": "main",
         "path": "./cluster-manifests", "substitutions": {"WORKLOAD_NAMESPACE": "a0008", "A": "b"}}


@pytest.fixture(scope="module")
def flux():
    return synth_construct(lambda stack: FluxGitOps(stack, "Flux", FluxGitOpsProps(**PROPS)))


def test_extension_runs_only_source_and_kustomize_controllers(flux):
    extension = flux.only("azurerm_kubernetes_cluster_extension")
    assert (extension["extension_type"], extension["release_train"], extension["release_namespace"]) == (
        "microsoft.flux", "Stable", "flux-system")
    enabled = {k for k, v in extension["configuration_settings"].items() if v == "true"}
    assert enabled == {"source-controller.enabled", "kustomize-controller.enabled"}
    assert "version" not in extension, "no version pin: the Stable train keeps Flux patched"


def test_configuration_reconciles_the_configured_repository(flux):
    config = flux.only("azurerm_kubernetes_flux_configuration")
    assert (config["name"], config["scope"], config["namespace"]) == ("bootstrap", "cluster", "flux-system")
    repo = config["git_repository"]
    assert (repo["url"], repo["reference_type"], repo["reference_value"]) == (
        PROPS["repository_url"], "branch", "main")
    (kustomization,) = config["kustomizations"]
    assert kustomization["path"] == "./cluster-manifests"
    assert kustomization["garbage_collection_enabled"] is True and kustomization["recreating_enabled"] is False
    assert kustomization["post_build"]["substitute"] == {"A": "b", "WORKLOAD_NAMESPACE": "a0008"}
    extension = flux.ref("azurerm_kubernetes_cluster_extension").removeprefix("${").removesuffix(".id}")
    assert config["depends_on"] == [extension]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("repository_url", "git@github.com:x/y.git", r"repository_url: .* must be an https:// URL"),
    ("path", "cluster-manifests", r"path: .* must be relative to the repository root"),
    ("sync_interval_seconds", 5, r"sync_interval_seconds: 5 is outside 60-3600"),
])
def test_rules(field, value, message):
    with pytest.raises(ValueError, match=message):
        synth_construct(lambda stack: FluxGitOps(stack, "Flux", FluxGitOpsProps(**{**PROPS, field: value})))
