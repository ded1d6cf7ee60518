"""Every message states the rule in words: no regular expression, no pydantic or Python jargon,
the field's full path as the user wrote it (never doubled, never without its section), a suggestion
for a misspelt key, the user's own text quoted back when YAML read it as a number, and every problem
of a file in one run: schema, cross-field and cross-section rules, names and the address plan."""

from __future__ import annotations

import datetime
import re

import pytest

from constructs_lib.config.messages import suggestions
from tests.config.test_hostile_input import WRONG_VALUES
from tests.config.test_load_time_rules import RULES
from tests.envfiles import PROJECT_ROOT, base_env, dump, load, reference_env, refused, set_path, two_regions_public_ca

JARGON = re.compile(r"Input should|String should|should match pattern|List should|Tuple should|after validation|"
                    r"valid dictionary|valid UUID|Value error|\[\^|\\[sdw]|\{\d+,\d*\}|\)\?|NoneType|\bstr\b|\bint\b")


def messages(tmp_path, data) -> list[str]:
    return [problem.message for problem in refused(tmp_path, data).problems]


CASES = {**{f"wrong value: {k}": (p, v) for k, (p, v, _) in WRONG_VALUES.items()},
         **{f"rule: {k}": (p, v) for k, (p, v, _) in RULES.items()},
         "unknown key": ("cluster.user_pool.min", 1), "number for text": ("cluster.kubernetes_version", 1.35),
         "email": ("monitoring.alert_emails", ["aks-ops"]), "env name": ("name", "Staging"),
         "bad backend": ("state.backend", "s3"), "bad guid list": ("entra.cluster_admin_group_object_ids", ["x"]),
         # rules that name their field from inside the field's own validation (once reported doubled)
         "firewall tier": ("hub.firewall_sku", "Basic"), "bastion tier": ("hub.bastion_sku", "Developer"),
         "time zone": ("cluster.stop_schedule", {"time_zone": "Europe/Berlin"}),
         "private runner range": ("ci.runner_ip_ranges", ["10.1.0.0/24"])}


def doubled(path: str) -> bool:
    """Whether a field path ends with the same segments twice (`hub.firewall_sku.hub.firewall_sku`)."""
    parts = re.findall(r"[^.\[]+|\[[^]]*\]", path)
    return any(parts[-2 * k:-k] == parts[-k:] for k in range(1, len(parts) // 2 + 1))


@pytest.mark.parametrize(("path", "value"), CASES.values(), ids=CASES.keys())
def test_no_message_shows_a_regular_expression_or_jargon(tmp_path, path, value):
    for problem in refused(tmp_path, set_path(base_env(), path, value)).problems:
        assert not JARGON.search(problem.message), problem
        assert not doubled(problem.path), problem


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


@pytest.mark.parametrize(("path", "written", "message"), [
    # What the user wrote, quoted back: not the number YAML made of it.
    ("cluster.kubernetes_version", "1.35", 'must be text, but YAML read 1.35 as a number; write it in quotes: "1.35"'),
    ("cluster.kubernetes_version", "1.30",
     'must be text, but YAML read 1.30 as the number 1.3, dropping the trailing zero; quoting it ("1.30") is not '
     "enough: '1.30' is not a Kubernetes version AKS offers"),
    ("cluster.maintenance.start", "21:00",
     'must be text, but YAML read 21:00 as the number 1260; write it in quotes: "21:00"'),
    ("cluster.stop_schedule.stop", "19:00",
     'must be text, but YAML read 19:00 as the number 1140; write it in quotes: "19:00"'),
    ("budget.start_date", "2026_12", 'must be text, but YAML read 2026_12 as the number 202612; quoting it '
                                     "(\"2026_12\") is not enough: '2026_12' is not the first day of a month"),
    ("ingress.public_host", "0123", 'must be text, but YAML read 0123 as the number 83; write it in quotes: "0123"'),
    ("tags.Criticality", "yes", 'must be text, but YAML read yes as the boolean true (YAML reads yes/no/on/off as '
                                'booleans); write it in quotes: "yes"'),
])
def test_text_that_yaml_read_as_a_number_is_quoted_back_as_written(tmp_path, path, written, message):
    data = base_env()
    if path.startswith("cluster.stop_schedule"):
        set_path(data, "cluster.stop_schedule", {"start": "07:00", "stop": "19:00"})
    key = path.rsplit(".", 1)[-1]
    text = dump(set_path(data, path, "PLACEHOLDER"))
    assert text.count(f"{key}: PLACEHOLDER\n") == 1
    text = text.replace(f"{key}: PLACEHOLDER\n", f"{key}: {written}\n")
    problems = refused(tmp_path, text).problems
    # The quoted form is advised alone only when the file accepts it; otherwise the same message says
    # what else to change (one round fixes the file).
    assert any(problem.path == path and problem.message.startswith(message) for problem in problems), problems
    if written != "1.30":
        assert not any("trailing zero" in problem.message or "1.30" in problem.message for problem in problems)


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


def uat_as_reported() -> dict:
    """The file of the report: dev copied to uat.yaml and marked production, with a Basic firewall,
    one zone and a stop schedule beside dev's Free tier and Spot pool."""
    data = set_path(base_env(), "name", "uat")
    set_path(data, "environment_type", "production")
    set_path(data, "hub.firewall_sku", "Basic")
    set_path(data, "regions[0].zones", ["1"])
    set_path(data, "cluster.stop_schedule", {"start": "07:00", "stop": "19:00"})
    assert data["cluster"]["sku_tier"] == "Free" and "spot_pool" in data["cluster"]
    return data


def test_the_reported_file_gets_every_problem_in_one_run(tmp_path):
    """The first run printed only the firewall (with its path doubled); the second run the other four.
    One run now names all of them, each once, at the path the user wrote; dev's sandbox vault
    (purge protection off) is refused in production too."""
    problems = refused(tmp_path, uat_as_reported(), name="uat").problems
    assert sorted(problem.path for problem in problems) == [
        "cluster.sku_tier", "cluster.spot_pool", "cluster.stop_schedule", "hub.firewall_sku",
        "key_vault.purge_protection", "regions[0].zones"], problems
    by_path = {problem.path: problem.message for problem in problems}
    assert by_path["hub.firewall_sku"].startswith("Basic has no DNS proxy")
    assert by_path["regions[0].zones"].startswith("production region eastus2 uses 1 availability zone;")


@pytest.mark.parametrize(("path", "value", "reported"), [
    ("cluster.privat", True, "cluster.privat"),  # an unknown key in the section the rules read
    ("cluster.sku_tier", "Freee", "cluster.sku_tier"),  # a value that is no choice at all
    ("hub", {"firewall_sku": "Basic", "log_retention_days": 1}, "hub.log_retention_days"),
    ("regions[0].spoke.subnets.nodes", "10.240.0.0/33", "regions[0].spoke.subnets.nodes"),
    ("monitoring.alert_emails", ["aks-ops"], "monitoring.alert_emails[0]"),
])
def test_a_schema_error_does_not_hide_the_rules(tmp_path, path, value, reported):
    """dev's cheap profile in a production file plus one schema error: the error and every rule
    whose inputs validated, in one run."""
    data = set_path(base_env(), "environment_type", "production")
    set_path(data, "cluster.sku_tier", "Free")
    set_path(data, path, value)
    paths = [problem.path for problem in refused(tmp_path, data).problems]
    rules = {"cluster.spot_pool", "key_vault.purge_protection"} | ({"cluster.sku_tier"} if "sku_tier" not in path else set())
    assert reported in paths and rules <= set(paths), paths
    assert len(paths) == len(set(paths)), paths


def test_every_kind_of_check_reports_in_the_same_run(tmp_path):
    """A field error, a rule inside one section (pool names), a rule across sections (Free tier in
    production), the file name and the address plan: all five in one error, none hiding another."""
    data = set_path(base_env(), "environment_type", "production")
    data["cluster"].pop("spot_pool")
    set_path(data, "key_vault.purge_protection", True)
    set_path(data, "monitoring.alert_emails", ["aks-ops"])
    set_path(data, "cluster.user_pool.name", "npsystemtmp")
    set_path(data, "regions[0].spoke.ingress_load_balancer_ip", "10.240.9.4")
    set_path(data, "name", "uat")
    problems = refused(tmp_path, data, name="dev").problems
    assert [problem.path for problem in problems] == [
        "cluster.user_pool.name", "monitoring.alert_emails[0]", "cluster.sku_tier", "name",
        "regions[0].spoke.ingress_load_balancer_ip"], problems


def test_a_rule_whose_input_did_not_validate_is_skipped_not_guessed(tmp_path):
    """A Spot pool named wrongly is still a Spot pool in production; but with the environment type
    itself invalid, no rule that depends on it reports (its own error does)."""
    data = set_path(base_env(), "environment_type", "prod")
    set_path(data, "cluster.spot_pool.name", "NP")
    paths = [problem.path for problem in refused(tmp_path, data).problems]
    assert paths == ["environment_type", "cluster.spot_pool.name"], paths


@pytest.mark.parametrize(("path", "value", "located", "start"), [
    # The blamed field once, at its full path (it was `hub.firewall_sku.hub.firewall_sku`).
    ("hub.firewall_sku", "Basic", "hub.firewall_sku", "Basic has no DNS proxy"),
    ("hub.bastion_sku", "Basic", "hub.bastion_sku", "Basic cannot tunnel a native client"),
    ("cluster.stop_schedule", {"time_zone": "Europe/Berlin"}, "cluster.stop_schedule.time_zone",
     "'Europe/Berlin' is an IANA time zone name"),
    ("app.namespace", "kube-system", "app.namespace", "'kube-system' is a system namespace"),
    ("cluster.user_pool.min_count", 9, "cluster.user_pool.min_count", "9 is more than max_count (3)"),
    ("cluster.spot_pool", {"min_count": 3, "max_count": 2}, "cluster.spot_pool.min_count",
     "3 is more than max_count (2)"),
])
def test_a_rule_names_its_field_once_at_the_path_the_user_wrote(tmp_path, path, value, located, start):
    (problem,) = refused(tmp_path, set_path(base_env(), path, value)).problems
    assert problem.path == located and problem.message.startswith(start), problem


def test_a_rule_about_one_region_names_the_region(tmp_path):
    """`zones: production region westus2 ...` lacked the region it was about."""
    data = set_path(reference_env(), "regions[0].name", "westus2")
    set_path(data, "regions[0].zones", ["1"])
    data.pop("paired_region")
    (problem,) = refused(tmp_path, data).problems
    assert (problem.path, problem.message) == ("regions[0].zones", (
        'production region westus2 uses 1 availability zone; production spreads over at least two, e.g. '
        'zones: ["1", "2", "3"] (or set environment_type: non-production)'))


def test_front_door_rules_name_the_region_field(tmp_path):
    data = two_regions_public_ca()
    for region in data["regions"]:
        region["origin"] = {"enabled": False}
    (problem,) = refused(tmp_path, data).problems
    assert (problem.path, problem.message) == ("regions[0].origin.enabled", (
        "every region's origin is disabled (eastus2, centralus); keep at least one enabled, e.g. origin: "
        "{enabled: true} in eastus2 (take one region out at a time)"))


def test_the_readme_shows_what_the_loader_prints(tmp_path):
    """The sample output in README "Configuration" is this file's real output."""
    data = set_path(base_env(), "name", "Staging")
    set_path(data, "cluster.user_pool.min", 1)
    set_path(data, "regions[0].spoke.ingress_load_balancer_ip", "10.250.4.4")
    text = dump(data).replace("kubernetes_version: '1.35'", "kubernetes_version: 1.30")
    (tmp_path / "envs").mkdir()
    # The versions AKS supports change with the date; the README shows them as of this day.
    rendered = str(refused(tmp_path / "envs", text, name="staging", today=datetime.date(2026, 11, 29))
                   ).replace(f"{tmp_path}/", "")
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert len(rendered.splitlines()) == 4
    for line in rendered.splitlines():
        assert f"\n{line}\n" in readme, line


def test_every_broken_network_rule_is_reported(tmp_path):
    """The cluster network's rules run one by one: a DNS address outside the range no longer hides
    that the range is too large and sits on ranges AKS reserves."""
    data = set_path(base_env(), "cluster.network", {"service_cidr": "172.0.0.0/11", "dns_service_ip": "10.0.0.10",
                                                    "pod_cidr": "10.100.0.0/16"})
    problems = refused(tmp_path, data).problems
    assert [(problem.path, problem.message.split(";")[0]) for problem in problems] == [
        ("cluster.network.dns_service_ip", "10.0.0.10 is outside service_cidr 172.0.0.0/11, e.g. dns_service_ip: 172.0.0.10"),
        ("cluster.network.service_cidr", "172.0.0.0/11 is larger than AKS allows"),
        ("cluster.network.service_cidr", "172.0.0.0/11 overlaps 172.30.0.0/16, which AKS reserves"),
    ], problems


def test_a_did_you_mean_offers_only_values_the_rest_of_the_file_accepts(tmp_path):
    """Free is a tier, but not one a production file accepts: `Freee` there is not steered to it."""
    production = set_path(reference_env(), "cluster.sku_tier", "Freee")
    (message,) = [p.message for p in refused(tmp_path, production).problems if p.path == "cluster.sku_tier"]
    assert "did you mean Free?" not in message, message
    assert message.endswith("Free is refused by the rest of this file, so use Standard or Premium"), message
    sandbox = set_path(base_env(), "cluster.sku_tier", "Freee")  # non-production: Free is the fix
    assert "did you mean Free?" in messages(tmp_path, sandbox)[0]


@pytest.mark.parametrize(("path", "value", "message"), [
    # An example YAML reads as text when copied: 21:00 unquoted is the number 1260, 1.35 a number.
    ("cluster.maintenance.start", "9pm", "'9pm' is not a 24-hour time: HH:MM (for example \"21:00\")"),
    ("cluster.kubernetes_version", "v1.35", 'quoted in YAML (for example "1.35")'),
    # Each pool its own example, one parenthesis: user_pool's npuser01 is taken.
    ("cluster.spot_pool.name", "Np_Spot", "(Azure's rule for Linux pools); for example npspot01"),
    ("cluster.system_pool.name", "Np_Sys", "(Azure's rule for Linux pools); for example npsystem"),
])
def test_a_pattern_example_is_copyable_and_accepted_in_this_file(tmp_path, path, value, message):
    (found,) = [p.message for p in refused(tmp_path, set_path(base_env(), path, value)).problems if p.path == path]
    assert found.endswith(message), found


@pytest.mark.parametrize(("path", "value", "message"), [
    ("regions[0].spoke.address_space", "10.240.0.1/16",
     "'10.240.0.1/16' is not a network address: a /16 starts at 10.240.0.0, so write 10.240.0.0/16"),
    ("regions[0].spoke.address_space", "10.240.0.0/33",
     "'10.240.0.0/33' is not a CIDR: the prefix length after / must be a whole number from 0 to 32, e.g. 10.240.0.0/24"),
    ("regions[0].zones", ["4"], "'4' is not one of: 1, 2, 3, e.g. zones: [\"1\", \"2\", \"3\"]"),
    ("workload", None, "required field is missing; add it, e.g. workload: bu0001a0008"),
    ("budget", None, "required field is missing; add the budget: section (docs/example.yaml shows one with every field)"),
])
def test_a_refusal_says_what_to_write_instead(tmp_path, path, value, message):
    data = base_env()
    if value is None:
        del data[path]
    else:
        set_path(data, path, value)
    found = [(p.path, p.message) for p in refused(tmp_path, data).problems]
    assert (path.replace(".zones", ".zones[0]") if path.endswith("zones") else path, message) in found, found


@pytest.mark.parametrize(("path", "value", "blamed", "message"), [
    # spot_pool.name is only its default: the user wrote user_pool.name
    ("cluster.user_pool.name", "npspot01", "cluster.user_pool.name",
     "'npspot01' is already spot_pool's name (spot_pool's default name, as this file does not set one); "
     "e.g. name: npuser01, or give spot_pool a name of its own"),
    ("cluster.system_pool.name", "npuser01", "cluster.system_pool.name",
     "'npuser01' is already user_pool's name (user_pool's default name, as this file does not set one); "
     "e.g. name: npsystem, or give user_pool a name of its own"),
    # os_disk_size_gb is only its default (120): the user wrote vm_size
    ("cluster.user_pool.vm_size", "Standard_B2s", "cluster.user_pool.vm_size",
     "Standard_B2s's 30 GiB local disk, where the ephemeral OS disk lives "
     "(https://learn.microsoft.com/azure/virtual-machines/ephemeral-os-disks), cannot hold the pool's default "
     "120 GB OS disk; choose a larger size, e.g. vm_size: Standard_D4ads_v5, or set os_disk_size_gb: 30"),
])
def test_a_clash_with_a_default_blames_the_field_the_user_wrote(tmp_path, path, value, blamed, message):
    found = [(p.path, p.message) for p in refused(tmp_path, set_path(base_env(), path, value)).problems]
    assert found == [(blamed, message)], found
    # Each advice, applied, loads.
    for fix in (message.split("e.g. ")[1].split(",")[0], message.rsplit("or set ", 1)[-1]):
        if ": " in fix and "(" not in fix:
            key, written = fix.split(": ")
            data = set_path(base_env(), path, value)
            set_path(data, f"{blamed.rsplit('.', 1)[0]}.{key}", int(written) if written.isdigit() else written)
            load(tmp_path, data)


@pytest.mark.parametrize(("path", "value", "message"), [
    # A key with nothing after it is "empty" in YAML, not Python's None.
    ("hub.firewall_sku", None, "is empty (null in YAML); it must be Standard or Premium, e.g. firewall_sku: Standard"),
    ("hub.bastion_sku", None, "is empty (null in YAML); it must be Standard, Premium or none (no Bastion, written "
                              "as the word none), e.g. bastion_sku: Standard"),
    # The example of a per-environment field is this environment's own value.
    ("ingress.public_host", "Bad_Host", "'Bad_Host' is not a DNS label: 1-63 lowercase letters, digits and hyphens, "
                                        "not starting or ending with a hyphen (for example bicycle-dev)"),
    ("cluster.user_pool", {"max_pods": 10, "min_count": 1}, "1 node x 10 pods = 10; AKS requires room for at least "
                                                             "30 pods in a pool; raise max_pods or min_count"),
])
def test_messages_use_the_words_of_the_file(tmp_path, path, value, message):
    found = [p.message for p in refused(tmp_path, set_path(base_env(), path, value)).problems]
    assert message in found, found


def test_one_zone_is_singular(tmp_path):
    data = set_path(reference_env(), "regions[0].zones", ["1"])
    (found,) = [p.message for p in refused(tmp_path, data).problems]
    assert found.startswith("production region eastus2 uses 1 availability zone; "), found


def test_a_vm_size_did_you_mean_offers_only_sizes_the_pool_accepts(tmp_path):
    """Standard_B2ms is the closest spelling, but a system pool refuses burstable sizes."""
    data = set_path(base_env(), "cluster.system_pool.vm_size", "Standard_B2m")
    (found,) = [p.message for p in refused(tmp_path, data).problems]
    assert "did you mean" in found and "Standard_B" not in found.split("did you mean")[1].split("?")[0], found
