"""Security gate (tools/security_gate.py): the allow-list logic on fabricated checkov output, and
one real checkov run over every synthesized stack of the shipped environments."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.envfiles import PROJECT_ROOT
from tools import security_gate as gate

REASON = "Required by the architecture: fabricated for this test, long enough to count."

STACK_DOC = {
    "//": {"metadata": {"stackName": "dev-eastus2-hub"}},
    "terraform": {
        "backend": {"azurerm": {"key": "dev/eastus2/hub.tfstate"}},
        "required_providers": {"azurerm": {"source": "hashicorp/azurerm", "version": "4.55.0"}},
        "required_version": ">= 1.9",
    },
    "data": {
        "azurerm_client_config": {
            "Current": {"//": {"metadata": {"path": "dev-eastus2-hub/Current"}}},
        },
    },
    "resource": {
        "azurerm_firewall": {
            "Firewall_E7948B04": {
                "//": {"metadata": {"path": "dev-eastus2-hub/Firewall/Resource"}},
                "name": "afw-hub-dev-eastus2",
            },
        },
        "azurerm_public_ip": {
            "Bastion_PublicIp_F05074D1": {
                "//": {"metadata": {"path": "dev-eastus2-hub/Bastion/PublicIp/Resource"}},
                "name": "pip-bas-hub",
            },
            "Firewall_PublicIp00_35F836A2": {
                "//": {"metadata": {"path": "dev-eastus2-hub/Firewall/PublicIp00/Resource"}},
                "name": "pip-afw-hub-00",
            },
        },
    },
}


@pytest.fixture
def copies(tmp_path):
    """The fabricated stack written as a synth output and prepared as the gate does."""
    original = tmp_path / "out" / "stacks" / "dev-eastus2-hub" / "cdk.tf.json"
    original.parent.mkdir(parents=True)
    original.write_text(json.dumps(STACK_DOC, indent=2))
    return gate.prepare_terraform(gate.find_stack_files(tmp_path / "out"), tmp_path / "work")


def failed(copy: gate.TerraformCopy, check_id: str, name: str) -> dict:
    """A checkov terraform_json failed-check record for resource `name`, as checkov 3.3 emits it
    (`resource.<name>`, the type lost; the line range points at the name key in the copy)."""
    line = next(n for n, (_, _, key, _) in copy.lines.items() if key == name)
    block = next(b for b, _, key, _ in copy.lines.values() if key == name)
    return {
        "check_id": check_id,
        "check_name": f"name of {check_id}",
        "file_abs_path": str(copy.copy),
        "file_line_range": [line, line + 5],
        "resource": f"{block}.{name}",
    }


def report(check_type: str, failed_checks: list[dict], passed: int = 10, parsing_errors: int = 0,
           skipped: int = 0) -> dict:
    return {
        "check_type": check_type,
        "results": {"failed_checks": failed_checks},
        "summary": {"passed": passed, "failed": len(failed_checks), "skipped": skipped,
                    "parsing_errors": parsing_errors, "resource_count": 0, "checkov_version": "3.3.30"},
    }


def entry(index=1, check="CKV_AZURE_216", resource="azurerm_firewall.Firewall_*", stack="*",
          reason=REASON) -> gate.AllowEntry:
    return gate.AllowEntry(index, check, resource, reason, stack)


# ----------------------------------------------------------------------------- preparation


def test_copy_drops_required_version_that_checkov_cannot_parse_and_keeps_the_rest(copies):
    (copy,) = copies
    written = json.loads(copy.copy.read_text())
    assert written["terraform"] == {k: v for k, v in STACK_DOC["terraform"].items() if k != "required_version"}
    assert written["resource"] == STACK_DOC["resource"]
    assert "required_version" in STACK_DOC["terraform"], "the input document must not be mutated"
    assert copy.stack == "dev-eastus2-hub"


def test_findings_get_their_resource_type_and_construct_path_back(copies):
    (copy,) = copies
    data = [report("terraform_json", [failed(copy, "CKV_AZURE_999", "Bastion_PublicIp_F05074D1"),
                                      failed(copy, "CKV_AZURE_998", "Current")])]
    findings, passed, parsing, skipped, version = gate.findings_from_report(data, copies)
    assert [(f.resource, f.construct_path, f.scope) for f in findings] == [
        ("azurerm_public_ip.Bastion_PublicIp_F05074D1", "dev-eastus2-hub/Bastion/PublicIp/Resource", "dev-eastus2-hub"),
        ("data.azurerm_client_config.Current", "dev-eastus2-hub/Current", "dev-eastus2-hub"),
    ]
    assert all(f.file.endswith("out/stacks/dev-eastus2-hub/cdk.tf.json") for f in findings), "the original, not the copy"
    assert (passed, parsing, skipped, version) == (10, {}, 0, "3.3.30")


def test_a_finding_whose_line_range_misses_the_name_is_resolved_by_its_unique_name(copies):
    (copy,) = copies
    record = dict(failed(copy, "CKV_AZURE_999", "Firewall_PublicIp00_35F836A2"), file_line_range=[1, 3])
    (finding,), *_ = gate.findings_from_report(report("terraform_json", [record]), copies)
    assert finding.resource == "azurerm_public_ip.Firewall_PublicIp00_35F836A2"


def test_one_checkov_command_with_a_file_per_stack_and_kubernetes_only_when_manifests_exist(copies, tmp_path):
    command = gate.checkov_command(Path("checkov"), copies, [])
    assert command[command.index("--framework") + 1:command.index("-f")] == ["terraform_json"]
    assert command.count("-f") == len(copies) and "-d" not in command
    assert {"--skip-download", "--quiet"} <= set(command) and command[command.index("--output") + 1] == "json"

    folder, single = tmp_path / "manifests", tmp_path / "extra.yaml"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.yaml").write_text("kind: Namespace\n")
    (folder / "sub" / "b.yml").write_text("kind: Namespace\n")
    (folder / "notes.md").write_text("not a manifest\n")
    single.write_text("kind: Namespace\n")
    existing, missing = gate.manifest_inputs([folder, single, tmp_path / "absent"])
    assert (existing, missing) == ([folder, single], [tmp_path / "absent"])
    command = gate.checkov_command(Path("checkov"), copies, existing)
    assert command[command.index("--framework") + 1:command.index("-f")] == ["terraform_json", "kubernetes"]
    # Folders become one -f per manifest: several -d make checkov print cumulative reports.
    assert "-d" not in command
    files = [command[i + 1] for i, arg in enumerate(command) if arg == "-f"][len(copies):]
    assert files == [str(folder / "a.yaml"), str(folder / "sub" / "b.yml"), str(single)]


# ----------------------------------------------------------------------------- matching


def test_an_allowed_finding_passes_and_an_unlisted_one_fails(copies):
    (copy,) = copies
    data = report("terraform_json", [failed(copy, "CKV_AZURE_216", "Firewall_E7948B04"),
                                     failed(copy, "CKV_AZURE_999", "Firewall_PublicIp00_35F836A2")], passed=7)
    verdict = gate.judge(data, "", copies, [entry()])
    assert not verdict.ok
    assert [(f.check_id, f.resource) for f, _ in verdict.allowed] == [("CKV_AZURE_216", "azurerm_firewall.Firewall_E7948B04")]
    assert [(f.check_id, f.resource) for f in verdict.unallowed] == [
        ("CKV_AZURE_999", "azurerm_public_ip.Firewall_PublicIp00_35F836A2")]
    assert verdict.summary_line() == "checkov: passed=7 failed=1 allowed=1"
    text = verdict.report()
    assert text.splitlines()[-1] == "checkov: passed=7 failed=1 allowed=1"
    assert "FAILED  CKV_AZURE_999 azurerm_public_ip.Firewall_PublicIp00_35F836A2 " \
           "[dev-eastus2-hub/Firewall/PublicIp00/Resource] in " in text
    assert "cdk.tf.json" in text


def test_exact_address_pattern_and_check_id_must_both_match(copies):
    (copy,) = copies
    data = report("terraform_json", [failed(copy, "CKV_AZURE_216", "Firewall_E7948B04")])
    exact = gate.judge(data, "", copies, [entry(resource="azurerm_firewall.Firewall_E7948B04")])
    assert exact.ok and len(exact.allowed) == 1
    other_check = gate.judge(data, "", copies, [entry(check="CKV_AZURE_217")])
    assert [f.check_id for f in other_check.unallowed] == ["CKV_AZURE_216"]
    other_type = gate.judge(data, "", copies, [entry(resource="azurerm_public_ip.Firewall_*")])
    assert len(other_type.unallowed) == 1, "the pattern is on the typed address, not the bare logical ID"


def test_stale_entry_fails_the_gate(copies):
    (copy,) = copies
    data = report("terraform_json", [failed(copy, "CKV_AZURE_216", "Firewall_E7948B04")])
    unused = entry(index=2, check="CKV_AZURE_999", resource="azurerm_public_ip.*AppGatewayPublicIp*")
    verdict = gate.judge(data, "", copies, [entry(), unused])
    assert not verdict.ok and not verdict.unallowed
    assert verdict.stale == [unused]
    assert "STALE   allow-list entry #2 CKV_AZURE_999 on azurerm_public_ip.*AppGatewayPublicIp*" in verdict.report()


def test_stack_glob_limits_an_entry(copies):
    (copy,) = copies
    data = report("terraform_json", [failed(copy, "CKV_AZURE_216", "Firewall_E7948B04")])
    verdict = gate.judge(data, "", copies, [entry(stack="*-spoke")])
    assert len(verdict.unallowed) == 1 and len(verdict.stale) == 1
    assert gate.judge(data, "", copies, [entry(stack="*-hub")]).ok


def test_kubernetes_findings_match_on_kind_namespace_name_and_manifest_path(copies, tmp_path):
    manifest = tmp_path / "cluster-manifests" / "a0008" / "deploy.yaml"
    record = {"check_id": "CKV_K8S_20", "check_name": "privilege escalation", "file_abs_path": str(manifest),
              "file_line_range": [1, 20], "resource": "Deployment.a0008.aspnetapp"}
    data = [report("terraform_json", []), report("kubernetes", [record])]
    allow = gate.AllowEntry(1, "CKV_K8S_20", "Deployment.a0008.*", REASON, "*cluster-manifests/*")
    verdict = gate.judge(data, "", copies, [allow])
    assert verdict.ok, verdict.report()
    (finding, _), = verdict.allowed
    assert (finding.framework, finding.resource) == ("kubernetes", "Deployment.a0008.aspnetapp")
    assert gate.judge(data, "", copies, []).unallowed == [finding]


def test_unparsed_files_inline_skips_and_an_empty_run_fail_the_gate(copies):
    (copy,) = copies
    stderr = f"2026-11-27 [ERROR]  Failed to parse template: {copy.copy}\nTraceback ...\n"
    unparsed = gate.judge(report("terraform_json", [], passed=0, parsing_errors=1), stderr, copies, [])
    assert not unparsed.ok
    assert any("could not parse 1 terraform_json file(s)" in p and "out/stacks/dev-eastus2-hub/cdk.tf.json" in p
               for p in unparsed.problems), unparsed.problems
    assert any("evaluated no checks" in p for p in unparsed.problems)
    skipped = gate.judge(report("kubernetes", [], passed=3, skipped=1), "", copies, [])
    assert not skipped.ok and any("skipped inline" in p for p in skipped.problems)
    assert gate.judge(report("terraform_json", [], passed=3), "", copies, []).ok


# ----------------------------------------------------------------------------- allow-list file


def entries_doc(**overrides) -> dict:
    item = {"check": "CKV_AZURE_216", "resource": "azurerm_firewall.Firewall_*", "reason": REASON}
    item.update(overrides)
    return {"entries": [{k: v for k, v in item.items() if v is not None}]}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (entries_doc(reason=None), r"entry #1: 'reason' is required and must be a non-empty string"),
        (entries_doc(reason="   "), r"entry #1: 'reason' is required"),
        (entries_doc(reason="needed"), r"entry #1: reason 'needed' is too short; state the architectural justification"),
        (entries_doc(resource=""), r"entry #1: 'resource' is required"),
        (entries_doc(check="ckv_azure_216"), r"entry #1: check 'ckv_azure_216' is not a checkov check ID"),
        (entries_doc(reasons=REASON), r"entry #1: unknown keys \['reasons'\]"),
        (entries_doc(stack=""), r"entry #1: 'stack' must be a non-empty glob"),
        ({"entries": entries_doc()["entries"] * 2}, r"entry #2: duplicates entry #1"),
        ({"entries": {}}, r'"entries" must be a list'),
        ([], r"top level must be an object"),
    ],
)
def test_invalid_allowlist_is_rejected_with_the_rule(doc, message):
    with pytest.raises(gate.AllowlistError, match=message):
        gate.parse_allowlist(doc, Path("allow.json"))


def test_allowlist_file_errors_name_the_file(tmp_path):
    broken = tmp_path / "allow.json"
    broken.write_text('{"entries": [}')
    with pytest.raises(gate.AllowlistError, match=r"allow\.json: not valid JSON: .* at line 1"):
        gate.load_allowlist(broken)
    with pytest.raises(gate.AllowlistError, match=r"missing\.json: cannot read"):
        gate.load_allowlist(tmp_path / "missing.json")


def test_shipped_allowlist_is_valid_and_every_entry_has_its_reason():
    entries = gate.load_allowlist(gate.DEFAULT_ALLOWLIST)
    assert all(len(e.reason) >= gate.MIN_REASON_CHARS for e in entries)


def test_cli_exit_codes_without_running_checkov(tmp_path, capsys):
    assert gate.main(["--outdir", str(tmp_path / "empty")]) == gate.EXIT_CANNOT_RUN
    assert "no stacks under" in capsys.readouterr().err
    bad = tmp_path / "allow.json"
    bad.write_text(json.dumps(entries_doc(reason="")))
    assert gate.main(["--outdir", str(tmp_path), "--allowlist", str(bad)]) == gate.EXIT_FAILED
    assert "'reason' is required" in capsys.readouterr().err


# ----------------------------------------------------------------------------- SARIF


def test_sarif_locates_each_finding_and_marks_the_allowed_ones_suppressed(copies):
    (copy,) = copies
    data = report("terraform_json", [failed(copy, "CKV_AZURE_216", "Firewall_E7948B04"),
                                     failed(copy, "CKV_AZURE_999", "Firewall_PublicIp00_35F836A2")])
    stale = entry(index=2, check="CKV_AZURE_555", resource="azurerm_subnet.*")
    sarif = gate.to_sarif(gate.judge(data, "", copies, [entry(), stale]))
    json.dumps(sarif)  # serializable as is
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["CKV_AZURE_216", "CKV_AZURE_999"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    failing, allowed = by_rule["CKV_AZURE_999"], by_rule["CKV_AZURE_216"]
    assert failing["level"] == "error" and "suppressions" not in failing
    location = failing["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("stacks/dev-eastus2-hub/cdk.tf.json")
    original_lines = copy.original.read_text().splitlines()
    assert original_lines[location["region"]["startLine"] - 1].strip() == '"Firewall_PublicIp00_35F836A2": {'
    assert "dev-eastus2-hub/Firewall/PublicIp00/Resource" in failing["message"]["text"]
    assert allowed["suppressions"] == [{"kind": "external", "status": "accepted",
                                        "justification": f"security/checkov-allowlist.json entry #1: {REASON}"}]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert ["stale allow-list entry #2" in n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == [True]


def test_cli_writes_sarif_only_when_asked(tmp_path, monkeypatch, capsys):
    verdict = gate.Verdict(passed=3)
    monkeypatch.setattr(gate, "run_gate", lambda *args: verdict)
    assert gate.main(["--outdir", str(tmp_path)]) == gate.EXIT_OK
    assert not list(tmp_path.glob("*.sarif"))
    target = tmp_path / "gate.sarif"
    assert gate.main(["--outdir", str(tmp_path), "--sarif", str(target)]) == gate.EXIT_OK
    sarif = json.loads(target.read_text())
    assert sarif["runs"][0]["results"] == [] and sarif["runs"][0]["invocations"][0]["executionSuccessful"] is True
    verdict.problems.append("checkov could not parse 1 terraform_json file(s)")
    assert gate.main(["--outdir", str(tmp_path), "--sarif", str(target)]) == gate.EXIT_FAILED
    assert json.loads(target.read_text())["runs"][0]["invocations"][0]["executionSuccessful"] is False, \
        "written also when the gate fails, so the pull-request workflow can upload it"


# ----------------------------------------------------------------------------- the real gate
# `real_gate` (tests/conftest.py): checkov over every synthesized stack, run in the background.


def test_gate_passes_on_the_shipped_environments(real_gate):
    if not real_gate.ok:
        pytest.fail("security gate failed:\n" + real_gate.report(verbose=True), pytrace=False)


def test_gate_scanned_every_synthesized_stack_and_the_shipped_manifests(real_gate, synthesized):
    assert sorted(real_gate.stacks) == sorted(synthesized.stacks)
    assert real_gate.passed > 0
    shipped = [PROJECT_ROOT / p for p in gate.DEFAULT_MANIFESTS if (PROJECT_ROOT / p).exists()]
    charts = sorted(synthesized.outdir.glob("stacks/*/assets/*/*/templates"))
    assert len(charts) == 2 * len(synthesized.of_kind("workload")), "Traefik and the app, per workload stack"
    assert real_gate.manifests == shipped + charts


def test_gate_ran_the_pinned_checkov_in_reasonable_time(real_gate):
    pin = re.search(r"^checkov==(\S+)$", (PROJECT_ROOT / "requirements-checkov.txt").read_text(), re.M)
    assert pin, "requirements-checkov.txt must pin checkov exactly"
    assert real_gate.checkov_version == pin.group(1)
    assert real_gate.elapsed_seconds < 180, real_gate.notes


def test_a_waiting_checkov_gets_its_arguments_on_standard_input(tmp_path):
    """`WaitingCheckov` starts checkov's Python ahead of the inputs; `run_checkov` hands it the
    arguments (the command line without the program) and reads the reports it prints."""
    fake_python = tmp_path / "python"  # stands in for .venv-checkov/bin/python
    fake_python.write_text('#!/bin/sh\nread -r arguments\nprintf \'{"check_type": "terraform_json", "got": %s}\' "$arguments"\n')
    fake_python.chmod(0o755)
    waiting = gate.WaitingCheckov(tmp_path / "checkov")
    data, _, _ = gate.run_checkov([str(tmp_path / "checkov"), "--framework", "terraform_json", "-f", "a b.json"], waiting)
    assert data == [{"check_type": "terraform_json", "got": ["--framework", "terraform_json", "-f", "a b.json"]}]
    unused = gate.WaitingCheckov(tmp_path / "checkov")
    unused.close()
    assert unused.process.returncode is not None, "an unused checkov is stopped"
    with pytest.raises(gate.GateError, match="checkov not found"):
        gate.WaitingCheckov(tmp_path / "missing" / "checkov")


def test_reports_printed_back_to_back_are_all_read():
    text = '[{"check_type": "terraform_json"}]\n[{"check_type": "kubernetes"}]\n{"check_type": "kubernetes"}\n'
    assert [r["check_type"] for r in gate.parse_reports(text)] == ["terraform_json", "kubernetes", "kubernetes"]
    with pytest.raises(json.JSONDecodeError):
        gate.parse_reports("  \n")


def test_cumulative_reports_are_refused(copies):
    twice = [{"check_type": "terraform_json", "summary": {"passed": 1}},
             {"check_type": "terraform_json", "summary": {"passed": 2}}]
    with pytest.raises(gate.GateError, match="reported a framework more than once"):
        gate.findings_from_report(twice, copies)


# ----------------------------------------------------------------------------- settings, not names


def test_a_where_condition_follows_the_setting_of_the_synthesized_resource(copies):
    (copy,) = copies
    data = [report("terraform_json", [failed(copy, "CKV_AZURE_216", "Firewall_E7948B04")])]
    (finding,), *_ = gate.findings_from_report(data, copies)
    assert finding.attributes["name"] == "afw-hub-dev-eastus2"
    by_setting = gate.parse_allowlist({"entries": [{
        "check": "CKV_AZURE_216", "resource": "azurerm_firewall.*", "where": {"name": "afw-hub-dev-eastus2"},
        "reason": REASON}]}, Path("allow.json"))
    assert gate.evaluate([finding], by_setting).ok
    other_setting = gate.parse_allowlist({"entries": [{
        "check": "CKV_AZURE_216", "resource": "azurerm_firewall.*", "where": {"name": "afw-elsewhere"},
        "reason": REASON}]}, Path("allow.json"))
    verdict = gate.evaluate([finding], other_setting)
    assert verdict.unallowed == [finding] and "where name = \"afw-elsewhere\"" in verdict.stale[0].describe()
    absent_is_null = gate.parse_allowlist({"entries": [{
        "check": "CKV_AZURE_216", "resource": "azurerm_firewall.*", "where": {"sku_tier": None},
        "reason": REASON}]}, Path("allow.json"))
    assert gate.evaluate([finding], absent_is_null).ok, "null matches an attribute left out, as Terraform reads it"
    absent_is_not_a_value = gate.parse_allowlist({"entries": [{
        "check": "CKV_AZURE_216", "resource": "azurerm_firewall.*", "where": {"sku_tier": "Premium"},
        "reason": REASON}]}, Path("allow.json"))
    assert not gate.evaluate([finding], absent_is_not_a_value).ok


@pytest.mark.parametrize("where", [[], {}, {"a": {"nested": 1}}, "x"])
def test_a_where_condition_must_be_an_object_of_literals(where):
    with pytest.raises(gate.AllowlistError, match="'where' must be a non-empty object"):
        gate.parse_allowlist({"entries": [{"check": "CKV_AZURE_1", "resource": "*", "where": where,
                                           "reason": REASON}]}, Path("allow.json"))


def test_the_shipped_allowlist_never_names_an_environment():
    """Exceptions key on stack kinds and settings: a user's new environment is judged like the
    shipped ones (a `dev-*` glob would exempt only environments called dev)."""
    entries = gate.load_allowlist(gate.DEFAULT_ALLOWLIST)
    for item in entries:
        assert item.stack.startswith("*"), f"{item.describe()}: stack glob must not start with a name"


def test_sarif_of_the_real_run_holds_every_finding(real_gate):
    sarif = gate.to_sarif(real_gate)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(real_gate.unallowed) + len(real_gate.allowed) > 0
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] > 1 for r in results), \
        "every finding points at its resource's line in the synthesized file or manifest"
    assert sum("suppressions" in r for r in results) == len(real_gate.allowed)
