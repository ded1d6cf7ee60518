"""The Flux-delivered cluster baseline (`cluster-manifests/`): its files and the post-build
substitution Flux applies to them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from constructs_lib.workload.manifests.serialize import SAMPLE_GUID
from constructs_lib.workload.manifests.settings import WorkloadManifestSettings

REPO_ROOT = Path(__file__).resolve().parents[3]
CLUSTER_MANIFESTS_DIR = REPO_ROOT / "cluster-manifests"
"""The folder Flux reconciles (kustomization `./cluster-manifests`)."""



def cluster_substitutions(workload_namespace: str, namespace_reader_group_id: str,
                          cluster_admin_group_id: str) -> dict[str, str]:
    """Values for the `${VARIABLES}` in cluster-manifests/ (Flux post-build substitution), by name:
    the one place the variable names are defined."""
    return {"WORKLOAD_NAMESPACE": workload_namespace,
            "NAMESPACE_READER_GROUP_ID": namespace_reader_group_id,
            "CLUSTER_ADMIN_GROUP_ID": cluster_admin_group_id}


CLUSTER_MANIFEST_VARIABLES = tuple(cluster_substitutions("", "", ""))
"""Flux post-build substitution variables used in cluster-manifests/ (`${NAME}`)."""

_FLUX_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def cluster_manifest_variables() -> list[str]:
    """Names of the Flux post-build substitution variables the cluster baseline uses; feed each
    to `azurerm_kubernetes_flux_configuration.kustomizations.post_build.substitute`."""
    return list(CLUSTER_MANIFEST_VARIABLES)


def substitute_variables(text: str, substitutions: Mapping[str, str]) -> str:
    """Flux-style `${NAME}` substitution; a variable without a value is an error (Flux would
    silently substitute an empty string)."""
    missing = sorted({m for m in _FLUX_VARIABLE.findall(text) if m not in substitutions})
    if missing:
        raise ValueError(f"substitutions: no value for {missing}")
    return _FLUX_VARIABLE.sub(lambda m: str(substitutions[m.group(1)]), text)


def sample_substitutions(settings: WorkloadManifestSettings) -> dict[str, str]:
    """Substitution values for validation and scanning (sample group IDs)."""
    return cluster_substitutions(settings.namespace, namespace_reader_group_id=SAMPLE_GUID,
                                 cluster_admin_group_id=SAMPLE_GUID)


def cluster_manifest_files(folder: Path = CLUSTER_MANIFESTS_DIR) -> list[Path]:
    """The files the folder's kustomization.yaml lists, in its order."""
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    return [folder / rel for rel in kustomization.get("resources", [])]


