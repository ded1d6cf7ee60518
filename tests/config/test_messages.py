"""Every message states the rule in words: no regular expression, no pydantic or Python jargon,
a suggestion for a misspelt key, a hint to quote a number that must be text, and address-plan
problems reported in the same pass as schema problems."""

from __future__ import annotations

import re

import pytest

from constructs_lib.config.messages import suggestions
from tests.config.test_hostile_input import WRONG_VALUES
from tests.config.test_load_time_rules import RULES
from tests.envfiles import base_env, dump, refused, set_path

JARGON = re.compile(r"Input should|String should|should match pattern|List should|Tuple should|after validation|"
                    r"valid dictionary|valid UUID|Value error|\[\^|\\[sdw]|\{\d+,\d*\}|\)\?|NoneType|\bstr\b|\bint\b")


def messages(tmp_path, data) -> list[str]:
    return [problem.message for problem in refused(tmp_path, data).problems]


CASES = {**{f"wrong value: {k}": (p, v) for k, (p, v, _) in WRONG_VALUES.items()},
         **{f"rule: {k}": (p, v) for k, (p, v, _) in RULES.items()},
         "unknown key": ("cluster.user_pool.min", 1), "number for text": ("cluster.kubernetes_version", 1.35),
         "email": ("monitoring.alert_emails", ["aks-ops"]), "env name": ("name", "Staging"),
         "bad backend": ("state.backend", "s3"), "bad guid list": ("entra.cluster_admin_group_object_ids", ["x"])}


@pytest.mark.parametrize(("path", "value"), CASES.values(), ids=CASES.keys())
def test_no_message_shows_a_regular_expression_or_jargon(tmp_path, path, value):
    for message in messages(tmp_path, set_path(base_env(), path, value)):
        assert not JARGON.search(message), message


def test_a_misspelt_key_gets_the_closest_valid_keys(tmp_path):
    data = set_path(base_env(), "cluster.user_pool.min", 1)
    set_path(data, "regoins", [])
    set_path(data, "state.containr_name", "x")
    found = messages(tmp_path, data)
    assert "unknown key 'min'; did you mean min_count? (valid keys here: max_count, max_pods, max_surge, " \
           "min_count, name, os_disk_size_gb, vm_size)" in found
    assert any(m.startswith("unknown key 'regoins'; did you mean regions?") for m in found), found
    assert any(m.startswith("unknown key 'containr_name'; did you mean container_name?") for m in found), found


def test_suggestions_cover_spelling_and_prefixes():
    assert suggestions("max", ["max_count", "max_pods", "min_count"]) == ["max_count", "max_pods"]
    assert suggestions("sku_teir", ["sku_tier", "private"]) == ["sku_tier"]
    assert suggestions("zzz", ["sku_tier"]) == []


def test_an_unquoted_version_gets_a_hint_to_quote_it(tmp_path):
    text = dump(base_env()).replace("kubernetes_version: '1.35'", "kubernetes_version: 1.35")
    assert "kubernetes_version: 1.35\n" in text
    (message,) = messages(tmp_path, text)
    assert message == ('must be text, but YAML read the number 1.35; write it in quotes, e.g. "1.35" '
                       "(unquoted, YAML turns 1.30 into 1.3)")


def test_a_wrong_choice_lists_the_choices_and_the_closest(tmp_path):
    (message,) = messages(tmp_path, set_path(base_env(), "cluster.network.data_plane", "cillium"))
    assert message == "'cillium' is not one of: cilium, azure; did you mean cilium?"
    (message,) = messages(tmp_path, set_path(base_env(), "state.backend", "azurrm"))
    assert message == "backend 'azurrm' is not one of: azurerm, local, cloud; did you mean azurerm?"


def test_schema_and_address_plan_problems_come_in_one_pass(tmp_path):
    data = set_path(base_env(), "monitoring.alert_emails", ["aks-ops"])
    set_path(data, "regions[0].spoke.ingress_load_balancer_ip", "10.250.4.4")
    set_path(data, "regions[0].hub.subnets.firewall", "10.200.0.0/27")
    paths = [problem.path for problem in refused(tmp_path, data).problems]
    assert paths == ["monitoring.alert_emails[0]", "regions[0].hub.subnets.firewall",
                     "regions[0].spoke.ingress_load_balancer_ip"], paths


def test_every_broken_cross_section_rule_is_reported_in_the_same_run(tmp_path):
    """dev's cheap profile marked production: the Free tier, the Spot pool and the missing
    subscription all at once, each on its own line with its own field."""
    data = set_path(base_env(), "environment_type", "production")
    set_path(set_path(data, "subscription_id", None), "name_suffix", None)
    problems = refused(tmp_path, data).problems
    paths = [problem.path for problem in problems]
    assert {"cluster.sku_tier", "cluster.spot_pool", "subscription_id"} <= set(paths), paths
    assert all("\n" not in problem.message for problem in problems)
