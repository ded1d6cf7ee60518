"""A Helm release of a chart this project generates, shipped inside the stack's own folder.

The chart (plain manifests, validated by the tests) is copied by cdktf into
`cdktf.out/stacks/<stack>/assets/`, and the release points at that relative path, so the stack
folder is self-contained: a Terraform team needs no chart repository and nothing outside it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdktf import AssetType, ITerraformDependable, TerraformAsset
from cdktf_cdktf_provider_helm.release import Release, ReleaseSet
from constructs import Construct

from constructs_lib.workload.manifests.serialize import write_chart


@dataclass(frozen=True)
class LocalChartReleaseProps:
    """Inputs of a generated-chart release."""

    release_name: str
    """Helm release and chart name: lowercase letters, digits and hyphens."""
    namespace: str
    """Namespace of the release (created if missing)."""
    chart_version: str
    """Base SemVer of the chart; a content digest is appended as build metadata."""
    app_version: str
    """`appVersion` of the chart, e.g. the image tag."""
    manifests: tuple[dict[str, Any], ...]
    """The Kubernetes objects, one template each; at least one, else ValueError."""
    build_dir: Path
    """Scratch folder the chart is written to before cdktf copies it into the stack."""
    values: dict[str, str] = field(default_factory=dict)
    """Values known only at apply time (e.g. an identity's client id), set with `--set`."""
    depends_on: tuple[ITerraformDependable, ...] = ()
    """Resources of the same stack the release waits for. Default none."""
    timeout_seconds: int = 600
    """How long Helm waits for the release to become ready, in seconds. Default 600."""


class LocalChartRelease(Construct):
    """`helm_release` of a generated chart: atomic, waits for readiness, keeps 5 revisions."""

    def __init__(self, scope: Construct, id: str, props: LocalChartReleaseProps):
        super().__init__(scope, id)
        if not props.manifests:
            raise ValueError(f"{props.release_name}: a chart needs at least one manifest")
        # helm_release notices a local chart change only through its version, so the version
        # carries a digest of the manifests: any change to them is a new chart version.
        digest = hashlib.sha256(json.dumps(props.manifests, sort_keys=True).encode()).hexdigest()[:12]
        self.chart_version = f"{props.chart_version}+{digest}"
        chart_dir = write_chart(props.build_dir / props.release_name, props.release_name,
                                self.chart_version, props.app_version, list(props.manifests))
        self.asset = TerraformAsset(self, "Chart", path=str(chart_dir), type=AssetType.DIRECTORY)
        self.resource = Release(
            self,
            "Resource",
            name=props.release_name,
            namespace=props.namespace,
            create_namespace=True,
            chart=f"./{self.asset.path}",
            version=self.chart_version,
            atomic=True,
            cleanup_on_fail=True,
            wait=True,
            timeout=props.timeout_seconds,
            max_history=5,
            set=[ReleaseSet(name=key, value=value, type="string")
                 for key, value in sorted(props.values.items())] or None,
            depends_on=list(props.depends_on) or None,
        )
