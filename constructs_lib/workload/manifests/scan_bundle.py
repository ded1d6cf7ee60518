"""Every manifest this project deploys, written as plain, fully substituted YAML for scanners."""

from __future__ import annotations

import shutil
from pathlib import Path

from constructs_lib.workload.manifests.cluster_baseline import (
    CLUSTER_MANIFESTS_DIR,
    cluster_manifest_files,
    sample_substitutions,
    substitute_variables,
)
from constructs_lib.workload.manifests.sample_app import workload_manifests
from constructs_lib.workload.manifests.serialize import (
    SAMPLE_HELM_VALUES,
    manifest_filename,
    render_for_validation,
    to_yaml,
    write_text,
)
from constructs_lib.workload.manifests.settings import WorkloadManifestSettings
from constructs_lib.workload.manifests.traefik import traefik_manifests


def write_all_manifests(folder: Path, settings: WorkloadManifestSettings) -> list[Path]:
    """Write every manifest this project deploys into `folder` as plain, fully substituted YAML,
    one object per file, for scanners (checkov's kubernetes framework):

    - `traefik/` and `workload/`: the two charts' templates with sample Helm values;
    - `cluster-manifests/`: the Flux baseline with sample substitution values.
    """

    folder = Path(folder)
    written: list[Path] = []
    for sub, manifests in (("traefik", traefik_manifests(settings)), ("workload", workload_manifests(settings))):
        target = folder / sub
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        width = max(2, len(str(len(manifests) - 1)))
        for index, manifest in enumerate(manifests):
            path = target / manifest_filename(index, manifest, width)
            write_text(path, render_for_validation(to_yaml(manifest), SAMPLE_HELM_VALUES))
            written.append(path)
    target = folder / "cluster-manifests"
    shutil.rmtree(target, ignore_errors=True)
    substitutions = sample_substitutions(settings)
    for source in cluster_manifest_files():
        path = target / source.relative_to(CLUSTER_MANIFESTS_DIR)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, substitute_variables(source.read_text(), substitutions))
        written.append(path)
    return written


