"""Advice about a valid environment: settings Azure accepts today but that a platform team should
know about (printed as `warning:` lines by main.py; they never stop a synth).

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

from constructs_lib.config.models import Environment


def advisories(env: Environment) -> list[str]:
    """`<field>: <advice>` lines for one environment, in field order."""
    notes = []
    if env.cluster.network.data_plane == "azure":
        notes.append(
            "cluster.network.data_plane: azure uses Azure Network Policy Manager, which Microsoft is retiring "
            "(Linux support ends 2028-09-30, https://azure.microsoft.com/updates?id=500268); new clusters should "
            "use cilium. Switching an existing cluster in Terraform replaces it: run "
            "`az aks update --network-dataplane cilium` first (README \"Cluster\").")
    return notes
