"""The counts README.md states in words ("17 least-privilege role assignments", "2 charts, 26
manifests", ...) held to the synthesized stacks of the shipped environments, so a construct that
adds or drops one fails here until the README says so. (The per-stack resource totals and the
suite's timings are measurements the README's maintainer refreshes; they are not checked here.)"""

from __future__ import annotations

import re

from tests.envfiles import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()
SHIPPED = sorted(path.stem for path in (PROJECT_ROOT / "envs").glob("*.yaml"))


def stated(pattern: str) -> list[tuple[int, ...]]:
    """Every match of `pattern` in the README, its groups as integers (at least one match)."""
    found = [tuple(int(group) for group in match.groups()) for match in re.finditer(pattern, README)]
    assert found, f"README.md no longer says {pattern!r}; update this test with it"
    return found


def shipped(synthesized, kind: str) -> list:
    return [stack for stack in synthesized.of_kind(kind) if stack.name.split("-")[0] in SHIPPED]


def test_the_cluster_counts_in_the_readme(synthesized):
    clusters = shipped(synthesized, "cluster")
    assert clusters
    (roles,) = set(stated(r"(\d+) least-privilege role assignments"))
    (policies,) = set(stated(r"(\d+) Azure Policy assignments \+ (\d+) custom definition"))
    alerts = set(stated(r"(\d+) alerts\b"))
    (rules,) = set(stated(r"(\d+) recommended Prometheus alert rules"))
    for stack in clusters:
        prometheus = sum(1 for group in stack.resources("azurerm_monitor_alert_prometheus_rule_group").values()
                         for rule in group["rule"] if rule.get("alert"))
        log_alerts = (len(stack.resources("azurerm_monitor_activity_log_alert"))
                      + len(stack.resources("azurerm_monitor_scheduled_query_rules_alert_v2"))
                      + len(stack.resources("azurerm_monitor_metric_alert")))
        assert (len(stack.resources("azurerm_role_assignment")),) == roles, stack.name
        assert (len(stack.resources("azurerm_resource_group_policy_assignment")),
                len(stack.resources("azurerm_policy_definition"))) == policies, stack.name
        assert alerts == {(prometheus + log_alerts,)}, stack.name
        assert (prometheus,) == rules, stack.name


def test_the_hub_firewall_public_ip_count_in_the_readme(synthesized):
    (count,) = set(stated(r"across zones with (\d+) public IPs"))
    for stack in shipped(synthesized, "hub"):
        assert (len(stack.only("azurerm_firewall")["ip_configuration"]),) == count, stack.name


def test_the_workload_chart_and_manifest_counts_in_the_readme(synthesized):
    """Each workload stack ships its charts inside its folder: the README's count of charts and of
    manifests (chart templates) with the shipped environments' Cilium data plane, and without the
    Cilium-only policies for `data_plane: azure`."""
    ((charts, manifests, without_cilium),) = set(stated(
        r"\+ (\d+) charts, (\d+) manifests; (\d+) with `cluster.network.data_plane: azure`"))
    for stack in shipped(synthesized, "workload"):
        folder = synthesized.outdir / "stacks" / stack.name / "assets"
        templates = sorted(folder.glob("*/*/templates/*.yaml"))
        # Templates may hold Helm expressions, so the kind is read from the text.
        cilium_only = [path for path in templates if re.search(r"^apiVersion: cilium\.io/", path.read_text(), re.M)]
        assert len(list(folder.glob("*/*/Chart.yaml"))) == charts, stack.name
        assert (len(templates), len(templates) - len(cilium_only)) == (manifests, without_cilium), stack.name
