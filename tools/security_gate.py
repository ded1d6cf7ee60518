#!/usr/bin/env python3
"""Security gate: checkov over every synthesized stack and the shipped Kubernetes manifests,
held to a reviewed allow-list (security/checkov-allowlist.json).

    python3 tools/security_gate.py [--outdir cdktf.out] [--manifests PATH ...] [--sarif FILE]

The gate fails (exit 1) on any failed check that no allow-list entry covers, on allow-list
entries that match no failed check (stale), on an invalid allow-list, on files checkov could
not parse, and on inline checkov skips (the allow-list is the only place to accept a finding).
Exit 2 means it could not run at all (no stacks, checkov missing or crashed).

`--sarif FILE` also writes the verdict as SARIF 2.1.0 for code scanning (the pull-request
workflow uploads it): every finding is a result located in its file, the allowed ones carry an
accepted suppression with the allow-list reason, stale entries and other problems are tool
notifications. It is written whenever checkov ran, also when the gate fails.

Standard library only, so any python3 runs it; checkov itself lives in its own venv
(.venv-checkov, see requirements-checkov.txt) and runs as one subprocess for all inputs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ALLOWLIST = PROJECT_ROOT / "security" / "checkov-allowlist.json"
DEFAULT_CHECKOV = PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov"
# Kubernetes manifests scanned by default, relative to the project root: the Flux-delivered
# baseline. Generated manifests (charts rendered for scanning) are passed with --manifests.
# Missing paths are skipped.
DEFAULT_MANIFESTS = ("cluster-manifests",)
CHECKOV_TIMEOUT_SECONDS = 900

ENTRY_KEYS = {"check", "resource", "stack", "where", "reason"}
REQUIRED_ENTRY_KEYS = ("check", "resource", "reason")
CHECK_ID = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*_\d+$")
MIN_REASON_CHARS = 20

EXIT_OK, EXIT_FAILED, EXIT_CANNOT_RUN = 0, 1, 2


class GateError(Exception):
    """The gate could not run (exit 2): no inputs, checkov missing, crashed or unreadable."""


class AllowlistError(Exception):
    """The allow-list file breaks a rule; carries every problem found (exit 1)."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems))


@dataclass(frozen=True)
class AllowEntry:
    """One reviewed exception: a check accepted on the resources its patterns match."""

    index: int
    """Position in the file (1-based), for messages."""
    check: str
    """Checkov check ID, exact (CKV_AZURE_216)."""
    resource: str
    """Glob (fnmatch, case-sensitive) on the resource address: `<type>.<logical id>` for
    Terraform (azurerm_public_ip.Bastion_PublicIp_*), checkov's `<Kind>.<namespace>.<name>`
    for Kubernetes."""
    reason: str
    """Architectural justification; required."""
    stack: str = "*"
    """Glob on the stack name (Terraform) or the manifest path (Kubernetes); default all."""
    where: tuple[tuple[str, Any], ...] = ()
    """Terraform only: attribute -> literal value pairs the resource's synthesized configuration
    must hold (`{"purge_protection_enabled": false}`; null matches an attribute the configuration
    leaves out, as Terraform reads it), so an exception follows the setting that justifies it,
    never an environment's name. Empty: no condition."""

    def matches(self, finding: Finding) -> bool:
        return (
            finding.check_id == self.check
            and fnmatchcase(finding.resource, self.resource)
            and fnmatchcase(finding.scope, self.stack)
            and all(finding.attributes.get(key) == value for key, value in self.where)
        )

    def describe(self) -> str:
        where = "" if self.stack == "*" else f" in {self.stack}"
        condition = ", ".join(f"{key} = {json.dumps(value)}" for key, value in self.where)
        return f"entry #{self.index} {self.check} on {self.resource}{where}" + (
            f" where {condition}" if condition else "")


@dataclass(frozen=True)
class Finding:
    """One failed checkov check, located in the project's terms."""

    framework: str
    check_id: str
    check_name: str
    resource: str
    """Terraform: `<type>.<logical id>` (data sources: `data.<type>.<name>`); Kubernetes:
    checkov's `<Kind>.<namespace>.<name>`."""
    file: str
    """The scanned file as the user knows it (the synthesized cdk.tf.json, not the gate's copy)."""
    scope: str
    """Stack name (Terraform) or manifest path (Kubernetes)."""
    construct_path: str = ""
    """cdktf construct path of the resource, when known."""
    attributes: dict[str, Any] = field(default_factory=dict, compare=False)
    """The resource's synthesized configuration (Terraform), for allow-list `where` conditions."""

    def render(self) -> str:
        where = f" [{self.construct_path}]" if self.construct_path else ""
        return f"{self.check_id} {self.resource}{where} in {self.file}: {self.check_name}"


@dataclass
class Verdict:
    """Result of comparing checkov's findings with the allow-list."""

    passed: int = 0
    unallowed: list[Finding] = field(default_factory=list)
    allowed: list[tuple[Finding, AllowEntry]] = field(default_factory=list)
    stale: list[AllowEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Other reasons to fail: parsing errors, inline skips, nothing scanned."""
    notes: list[str] = field(default_factory=list)
    """Informational lines (what was scanned or skipped, checkov version and run time)."""
    checkov_version: str = ""
    elapsed_seconds: float = 0.0
    stacks: list[str] = field(default_factory=list)
    """Names of the stacks handed to checkov."""
    manifests: list[Path] = field(default_factory=list)
    """Kubernetes manifest paths handed to checkov (the existing ones of those asked for)."""

    @property
    def ok(self) -> bool:
        return not (self.unallowed or self.stale or self.problems)

    def summary_line(self) -> str:
        return f"checkov: passed={self.passed} failed={len(self.unallowed)} allowed={len(self.allowed)}"

    def report(self, verbose: bool = False) -> str:
        lines = list(self.notes)
        if verbose:
            lines += [f"ALLOWED {f.render()} (entry #{e.index})" for f, e in self.allowed]
        lines += [f"FAILED  {f.render()}" for f in self.unallowed]
        lines += [f"STALE   allow-list {e.describe()} matches no failed check; remove it" for e in self.stale]
        lines += [f"ERROR   {p}" for p in self.problems]
        lines.append(self.summary_line())
        return "\n".join(lines)


# --------------------------------------------------------------------------- allow-list


def parse_allowlist(data: Any, source: Path) -> list[AllowEntry]:
    """Validate an allow-list document (already decoded JSON) into entries."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise AllowlistError(source, ['top level must be an object {"entries": [...]}'])
    unknown = sorted(set(data) - {"description", "entries"})
    if unknown:
        problems.append(f"unknown top-level keys {unknown}; allowed: description, entries")
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list):
        raise AllowlistError(source, [*problems, '"entries" must be a list (may be empty)'])

    entries: list[AllowEntry] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for index, raw in enumerate(raw_entries, start=1):
        label = f"entry #{index}"
        if not isinstance(raw, dict):
            problems.append(f"{label}: must be an object with check, resource, reason")
            continue
        extra = sorted(set(raw) - ENTRY_KEYS)
        if extra:
            problems.append(f"{label}: unknown keys {extra}; allowed: {sorted(ENTRY_KEYS)}")
        bad = False
        for key in REQUIRED_ENTRY_KEYS:
            value = raw.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{label}: {key!r} is required and must be a non-empty string")
                bad = True
        stack = raw.get("stack", "*")
        if not isinstance(stack, str) or not stack.strip():
            problems.append(f"{label}: 'stack' must be a non-empty glob when given")
            bad = True
        where = raw.get("where", {})
        if not isinstance(where, dict) or not where or not all(
                isinstance(v, (str, int, float, bool)) or v is None for v in where.values()):
            if "where" in raw:
                problems.append(f"{label}: 'where' must be a non-empty object of attribute -> literal value")
                bad = True
            where = {}
        if bad:
            continue
        check, resource, reason = raw["check"].strip(), raw["resource"].strip(), raw["reason"].strip()
        if not CHECK_ID.match(check):
            problems.append(f"{label}: check {check!r} is not a checkov check ID such as CKV_AZURE_216")
        if len(reason) < MIN_REASON_CHARS:
            problems.append(
                f"{label}: reason {reason!r} is too short; state the architectural justification "
                f"(at least {MIN_REASON_CHARS} characters)"
            )
        condition = tuple(sorted(where.items()))
        key4 = (check, resource, stack.strip(), json.dumps(condition))
        if key4 in seen:
            problems.append(f"{label}: duplicates entry #{seen[key4]} ({check} on {resource})")
        seen.setdefault(key4, index)
        entries.append(AllowEntry(index, check, resource, reason, stack.strip(), condition))
    if problems:
        raise AllowlistError(source, problems)
    return entries


def load_allowlist(path: Path) -> list[AllowEntry]:
    """Read and validate the allow-list file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AllowlistError(path, [f"cannot read: {error.strerror}"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise AllowlistError(path, [f"not valid JSON: {error.msg} at line {error.lineno}"]) from None
    return parse_allowlist(data, path)


# --------------------------------------------------------------------------- terraform inputs


@dataclass(frozen=True)
class TerraformCopy:
    """A synthesized stack as handed to checkov: a sanitized copy plus a line index to recover
    resource types (checkov's terraform_json runner reports `resource.<name>` without the type)."""

    stack: str
    original: Path
    copy: Path
    lines: dict[int, tuple[str, str, str, str]]
    """Line of each resource/data name key in the copy -> (block, type, name, construct path)."""
    doc: dict[str, Any] = field(default_factory=dict, compare=False)
    """The stack's synthesized document (resource attributes for `where` conditions)."""

    def locate(self, start_line: int) -> tuple[str, str, str, str] | None:
        if start_line in self.lines:
            return self.lines[start_line]
        earlier = [line for line in self.lines if line <= start_line]
        return self.lines[max(earlier)] if earlier else None


def find_stack_files(outdir: Path) -> list[Path]:
    """Every synthesized stack of a cdktf output folder, in name order."""
    return sorted(outdir.glob("stacks/*/cdk.tf.json"))


def sanitize(doc: dict[str, Any]) -> dict[str, Any]:
    """Drop the scalar members of the top-level `terraform` block (required_version).

    checkov's terraform_json parser (3.1 to 3.3.30 at least) crashes on any non-object member
    there ("this method receives only dicts"; bridgecrewio/checkov#7454, fix in PR #7467 not
    merged) and then reports the whole file as a parsing error. No check reads those members.
    """
    terraform = doc.get("terraform")
    if isinstance(terraform, dict):
        doc = dict(doc)
        doc["terraform"] = {k: v for k, v in terraform.items() if isinstance(v, dict)}
    return doc


_KEY_LINE = re.compile(r'^( *)("(?:[^"\\]|\\.)*"): \{$')


def index_lines(text: str, doc: dict[str, Any]) -> dict[int, tuple[str, str, str, str]]:
    """Map each resource/data name line of `json.dumps(doc, indent=2)` output to its address."""
    index: dict[int, tuple[str, str, str, str]] = {}
    block = rtype = ""
    for number, line in enumerate(text.splitlines(), start=1):
        match = _KEY_LINE.match(line)
        if not match:
            continue
        depth, key = len(match.group(1)), json.loads(match.group(2))
        if depth == 2:
            block, rtype = key, ""
        elif depth == 4 and block in ("resource", "data"):
            rtype = key
        elif depth == 6 and block in ("resource", "data") and rtype:
            body = doc.get(block, {}).get(rtype, {}).get(key, {})
            meta = body.get("//", {}).get("metadata", {}) if isinstance(body, dict) else {}
            index[number] = (block, rtype, key, str(meta.get("path", "")))
    return index


def prepare_terraform(stack_files: Iterable[Path], workdir: Path) -> list[TerraformCopy]:
    """Write a sanitized copy of each stack into workdir/<stack>/cdk.tf.json."""
    copies = []
    for original in stack_files:
        stack = original.parent.name
        doc = sanitize(json.loads(original.read_text(encoding="utf-8")))
        text = json.dumps(doc, indent=2)
        target = workdir / stack / "cdk.tf.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        copies.append(TerraformCopy(stack, original, target, index_lines(text, doc), doc))
    return copies


def manifest_inputs(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Split manifest paths into the existing ones and the missing ones."""
    existing: list[Path] = []
    missing: list[Path] = []
    for path in paths:
        (existing if path.exists() else missing).append(path)
    return existing, missing


# --------------------------------------------------------------------------- checkov output


def _display(path: Path | str) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def findings_from_report(
    data: Any, copies: list[TerraformCopy]
) -> tuple[list[Finding], int, dict[str, int], int, str]:
    """Failed checks from checkov's JSON output (one report or a list of them).

    Returns (findings, passed, parsing errors per framework, skipped, checkov version).
    """
    by_copy = {str(c.copy.resolve()): c for c in copies}
    reports = data if isinstance(data, list) else [data]
    findings: list[Finding] = []
    passed = skipped = 0
    parsing: dict[str, int] = {}
    version = ""
    frameworks = [str(r.get("check_type", "")) for r in reports if isinstance(r, dict)]
    if len(frameworks) != len(set(frameworks)):
        raise GateError(f"checkov reported a framework more than once ({', '.join(frameworks)}); "
                        "its reports would double-count")
    for report in reports:
        if not isinstance(report, dict):
            raise GateError(f"unexpected checkov output element: {type(report).__name__}")
        summary = report.get("summary", report)
        version = version or str(summary.get("checkov_version", ""))
        framework = str(report.get("check_type", ""))
        passed += int(summary.get("passed", 0))
        skipped += int(summary.get("skipped", 0))
        if summary.get("parsing_errors"):
            parsing[framework or "?"] = int(summary["parsing_errors"])
        for record in report.get("results", {}).get("failed_checks", []):
            findings.append(_finding(framework, record, by_copy))
    return findings, passed, parsing, skipped, version


def _finding(framework: str, record: dict[str, Any], by_copy: dict[str, TerraformCopy]) -> Finding:
    abs_path = str(Path(record.get("file_abs_path") or record.get("file_path", "")).resolve())
    resource = str(record.get("resource", ""))
    copy = by_copy.get(abs_path)
    if copy is None:
        shown = _display(abs_path)
        return Finding(framework, record["check_id"], record.get("check_name", ""), resource, shown, shown)
    construct_path = ""
    start = (record.get("file_line_range") or [0])[0]
    block, _, name = resource.partition(".")
    located = copy.locate(start)
    if located is None or located[2] != name:  # line range off: fall back to the unique name
        by_name = [entry for entry in copy.lines.values() if entry[2] == name and entry[0] == block]
        located = by_name[0] if len(by_name) == 1 else None
    attributes: dict[str, Any] = {}
    if located and block in ("resource", "data"):
        loc_block, rtype, _, construct_path = located
        resource = f"{rtype}.{name}" if loc_block == "resource" else f"data.{rtype}.{name}"
        body = copy.doc.get(loc_block, {}).get(rtype, {}).get(name, {})
        attributes = body if isinstance(body, dict) else {}
    return Finding(
        framework, record["check_id"], record.get("check_name", ""), resource,
        _display(copy.original), copy.stack, construct_path, attributes,
    )


def evaluate(
    findings: list[Finding], entries: list[AllowEntry], passed: int = 0
) -> Verdict:
    """Compare findings with the allow-list: every finding covered, every entry used."""
    verdict = Verdict(passed=passed)
    used: set[int] = set()
    for finding in findings:
        entry = next((e for e in entries if e.matches(finding)), None)
        if entry is None:
            verdict.unallowed.append(finding)
        else:
            verdict.allowed.append((finding, entry))
            used.add(entry.index)
    verdict.stale = [e for e in entries if e.index not in used]
    return verdict


# --------------------------------------------------------------------------- running checkov


def checkov_command(checkov: Path, copies: list[TerraformCopy], manifests: list[Path]) -> list[str]:
    frameworks = ["terraform_json"] + (["kubernetes"] if manifests else [])
    command = [str(checkov), "--framework", *frameworks]
    for copy in copies:
        command += ["-f", str(copy.copy)]
    # Folders are expanded to their files: with several `-d` checkov prints one cumulative report
    # per folder (earlier results repeated), while any number of `-f` gives one report.
    for path in manifests:
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
        for file in files:
            command += ["-f", str(file)]
    return [*command, "--skip-download", "--output", "json", "--quiet", "--compact"]


def _checkov_env() -> dict[str, str]:
    return dict(os.environ, BC_SKIP_MAPPING="TRUE", LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"))


# What checkov's console script does (checkov.main.Checkov().run() with SyntaxWarnings silenced),
# with the arguments read from standard input once the imports are done.
_WAITING_CHECKOV = """\
import json, sys, warnings
from checkov.main import Checkov
arguments = json.loads(sys.stdin.readline())
sys.argv = [sys.argv[0], *arguments]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=SyntaxWarning)
    sys.exit(Checkov(arguments).run())
"""


class WaitingCheckov:
    """checkov started ahead of its inputs: the process imports checkov (about 2 s of the ~5 s a
    scan of the shipped environments takes) and then waits for its arguments on standard input,
    so the import overlaps the synth that produces the inputs. `run_gate(..., started=...)` hands it
    the arguments; a process that is never used is stopped with `close()`.

    Runs checkov exactly as its console script does (`checkov.main.Checkov(arguments).run()`), under
    the Python of checkov's own virtual environment (the folder of `checkov`)."""

    def __init__(self, checkov: Path = DEFAULT_CHECKOV):
        python = Path(checkov).parent / "python"
        if not python.exists():
            raise GateError(f"checkov not found at {checkov}; run `make setup`")
        self.process = subprocess.Popen(
            [str(python), "-c", _WAITING_CHECKOV], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=_checkov_env())

    def run(self, arguments: list[str]) -> subprocess.CompletedProcess[str]:
        """Scan with `arguments` (checkov's command line without the program); waits for the result."""
        try:
            stdout, stderr = self.process.communicate(json.dumps(arguments) + "\n", timeout=CHECKOV_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.close()
            raise GateError(f"checkov did not finish within {CHECKOV_TIMEOUT_SECONDS} s") from None
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, stdout, stderr)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def run_checkov(command: list[str], started: WaitingCheckov | None = None) -> tuple[Any, str, float]:
    """Run checkov once (`command[0]` with the rest as arguments, or the arguments handed to an
    already `started` checkov); returns (decoded JSON, stderr, seconds from the arguments to the result)."""
    begun = time.monotonic()
    try:
        if started:
            done = started.run(command[1:])
        else:
            done = subprocess.run(command, capture_output=True, text=True, env=_checkov_env(),
                                  timeout=CHECKOV_TIMEOUT_SECONDS, check=False)
    except FileNotFoundError:
        raise GateError(f"checkov not found at {command[0]}; run `make setup`") from None
    except subprocess.TimeoutExpired:
        raise GateError(f"checkov did not finish within {CHECKOV_TIMEOUT_SECONDS} s") from None
    elapsed = time.monotonic() - begun
    if done.returncode not in (0, 1):
        raise GateError(f"checkov exited {done.returncode}:\n{done.stderr[-3000:]}")
    try:
        return parse_reports(done.stdout), done.stderr, elapsed
    except json.JSONDecodeError:
        raise GateError(f"checkov printed no JSON (exit {done.returncode}):\n{done.stderr[-3000:]}") from None


def parse_reports(stdout: str) -> list[Any]:
    """checkov prints one JSON document per scanned directory, one after another; read them all
    into one flat list of reports."""
    decoder = json.JSONDecoder()
    reports: list[Any] = []
    position = 0
    while True:
        while position < len(stdout) and stdout[position].isspace():
            position += 1
        if position == len(stdout):
            break
        document, position = decoder.raw_decode(stdout, position)
        reports.extend(document if isinstance(document, list) else [document])
    if not reports:
        raise json.JSONDecodeError("no JSON document", stdout, 0)
    return reports


def judge(
    data: Any,
    stderr: str,
    copies: list[TerraformCopy],
    entries: list[AllowEntry],
) -> Verdict:
    """Turn checkov's JSON output into a verdict against the allow-list, adding a problem for
    unparsed files, inline skips, and a run that evaluated nothing."""
    findings, passed, parsing, skipped, version = findings_from_report(data, copies)
    verdict = evaluate(findings, entries, passed)
    verdict.checkov_version = version
    verdict.stacks = [c.stack for c in copies]
    originals = {str(c.copy): _display(c.original) for c in copies}
    failed_files = sorted({
        originals.get(path, path)
        for line in stderr.splitlines() if "Failed to parse" in line
        for path in [line.rsplit(": ", 1)[-1].strip()]
    })
    for framework, count in sorted(parsing.items()):
        verdict.problems.append(
            f"checkov could not parse {count} {framework} file(s): "
            f"{', '.join(failed_files) or 'see checkov stderr'}"
        )
    if skipped:
        verdict.problems.append(
            f"{skipped} check(s) skipped inline (checkov:skip / checkov.io annotations); "
            "accept findings in the allow-list instead"
        )
    if passed + len(findings) == 0:
        verdict.problems.append("checkov evaluated no checks at all; the inputs were not scanned")
    return verdict


def run_gate(
    outdir: Path,
    manifests: Iterable[Path] = (),
    allowlist: Path = DEFAULT_ALLOWLIST,
    checkov: Path = DEFAULT_CHECKOV,
    started: WaitingCheckov | None = None,
) -> Verdict:
    """Scan every stack under outdir (and the existing manifest paths) in one checkov run and
    judge the result against the allow-list. `started`: a `WaitingCheckov` to run the scan in
    (it is used up; on an error before the scan it is closed)."""
    try:
        return _run_gate(outdir, manifests, allowlist, checkov, started)
    finally:
        if started:
            started.close()


def _run_gate(outdir: Path, manifests: Iterable[Path], allowlist: Path, checkov: Path,
              started: WaitingCheckov | None) -> Verdict:
    entries = load_allowlist(allowlist)
    stack_files = find_stack_files(outdir)
    if not stack_files:
        raise GateError(f"no stacks under {outdir}/stacks/*/cdk.tf.json; synthesize first")
    if not Path(checkov).exists():
        raise GateError(f"checkov not found at {checkov}; run `make setup`")
    # The charts the workload stacks ship (cdktf copies them into stacks/<stack>/assets/) are the
    # manifests that reach the cluster: scan exactly those, not a re-rendering of them.
    chart_templates = sorted(outdir.glob("stacks/*/assets/*/*/templates"))
    existing, missing = manifest_inputs([*manifests, *chart_templates])
    with tempfile.TemporaryDirectory(prefix="security-gate-") as workdir:
        copies = prepare_terraform(stack_files, Path(workdir))
        data, stderr, elapsed = run_checkov(checkov_command(Path(checkov), copies, existing), started)
        verdict = judge(data, stderr, copies, entries)
    verdict.elapsed_seconds, verdict.manifests = elapsed, existing
    if existing:
        k8s = f"kubernetes: {', '.join(_display(p) for p in existing)}"
    else:
        k8s = "kubernetes: skipped (no manifests" + (
            f" at {', '.join(_display(p) for p in missing)})" if missing else ")"
        )
    verdict.notes.append(
        f"checkov {verdict.checkov_version or '?'} in {elapsed:.1f} s; "
        f"terraform_json: {len(copies)} stacks; {k8s}"
    )
    return verdict


# --------------------------------------------------------------------------- SARIF

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _stripped_lines(files: Iterable[str]) -> dict[str, list[str]]:
    """Each file's lines, stripped, read once (a file that cannot be read has none)."""
    lines: dict[str, list[str]] = {}
    for file in dict.fromkeys(files):
        try:
            lines[file] = [line.strip() for line in Path(file).read_text(encoding="utf-8").splitlines()]
        except OSError:
            lines[file] = []
    return lines


def _finding_line(finding: Finding, lines: list[str]) -> int:
    """1-based line of the finding's resource among its file's stripped `lines` (its name key for
    Terraform JSON, its `name:` for a manifest), or 1 when it cannot be found."""
    name = finding.resource.rsplit(".", 1)[-1]
    wanted = (f'"{name}": {{', f"name: {name}")
    return next((n for n, line in enumerate(lines, start=1) if line.startswith(wanted)), 1)


def _sarif_result(finding: Finding, entry: AllowEntry | None, lines: list[str]) -> dict[str, Any]:
    where = f" [{finding.construct_path}]" if finding.construct_path else ""
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "level": "error",
        "message": {"text": f"{finding.check_name}: {finding.resource}{where} in {finding.scope}"},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": Path(finding.file).as_posix()},
                "region": {"startLine": _finding_line(finding, lines)},
            },
            "logicalLocations": [{"fullyQualifiedName": f"{finding.scope}/{finding.resource}", "kind": "resource"}],
        }],
        "partialFingerprints": {"securityGate/v1": f"{finding.check_id}:{finding.scope}:{finding.resource}"},
    }
    if entry is not None:
        result["level"] = "note"
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f"security/checkov-allowlist.json entry #{entry.index}: "
                                                    f"{entry.reason}"}]
    return result


def to_sarif(verdict: Verdict) -> dict[str, Any]:
    """The verdict as a SARIF 2.1.0 log (one run, tool "security-gate (checkov)")."""
    findings = [(f, None) for f in verdict.unallowed] + [(f, e) for f, e in verdict.allowed]
    lines = _stripped_lines(f.file for f, _ in findings)
    rules = {f.check_id: f.check_name for f, _ in findings}
    notifications = [
        {"level": "error", "message": {"text": f"stale allow-list {e.describe()}: matches no failed check; remove it"}}
        for e in verdict.stale
    ] + [{"level": "error", "message": {"text": p}} for p in verdict.problems]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "security-gate (checkov)",
                "version": verdict.checkov_version or "unknown",
                "informationUri": "https://www.checkov.io/",
                "rules": [{"id": rule, "shortDescription": {"text": name or rule},
                           "helpUri": "https://www.checkov.io/5.Policy%20Index/all.html"}
                          for rule, name in sorted(rules.items())],
            }},
            "invocations": [{"executionSuccessful": verdict.ok, "toolExecutionNotifications": notifications}],
            "results": [_sarif_result(f, e, lines[f.file]) for f, e in findings],
        }],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out")),
                        help="cdktf output folder holding stacks/*/cdk.tf.json "
                             "(default: cdktf.out, or $CDKTF_OUTDIR when set)")
    parser.add_argument("--manifests", type=Path, nargs="*",
                        default=[PROJECT_ROOT / p for p in DEFAULT_MANIFESTS],
                        help="Kubernetes manifest folders/files; missing ones are skipped "
                             f"(default: {' '.join(DEFAULT_MANIFESTS)})")
    parser.add_argument("--allowlist", type=Path, default=DEFAULT_ALLOWLIST,
                        help="accepted findings with their reasons (default: security/checkov-allowlist.json)")
    parser.add_argument("--checkov", type=Path, default=Path(os.environ.get("CHECKOV", DEFAULT_CHECKOV)),
                        help="checkov executable (default: .venv-checkov/bin/checkov, or $CHECKOV when set)")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list the allowed findings")
    parser.add_argument("--sarif", type=Path, help="also write the findings as SARIF 2.1.0 to this file")
    args = parser.parse_args(argv)
    try:
        verdict = run_gate(args.outdir, args.manifests, args.allowlist, args.checkov)
    except AllowlistError as error:
        print(f"security gate: invalid allow-list\n{error}", file=sys.stderr)
        return EXIT_FAILED
    except GateError as error:
        print(f"security gate: cannot run: {error}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    print(verdict.report(verbose=args.verbose))
    if args.sarif:
        args.sarif.write_text(json.dumps(to_sarif(verdict), indent=2) + "\n", encoding="utf-8")
        print(f"SARIF: {args.sarif}")
    return EXIT_OK if verdict.ok else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
