"""Hostile and careless environment files: every one ends in a single ConfigError that names the
file (and the field where there is one), never another exception, and main.py exits 2 without a
traceback, leaving the previous output untouched.

Field-level rules with one example each live in test_config.py and test_address_plan.py; this
module covers whole-file abuse (encodings, YAML tricks, size and depth), wrong shapes and types,
property-based fuzzing of the loader, and the command line end to end.
"""

from __future__ import annotations

import copy
import ipaddress
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constructs_lib.config.loader import (
    MAX_FILE_BYTES,
    ConfigError,
    load_environment,
    load_environments,
)
from tests.envfiles import base_env, dump, load, refused, set_path, write_env
from tests.main_batch import start_batch

FUZZ = settings(max_examples=200, deadline=timedelta(seconds=2), database=None,
                suppress_health_check=[HealthCheck.too_slow])


def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


# --- whole-file abuse ---------------------------------------------------------------------------

WHOLE_FILE = {
    # libyaml (PyYAML's C parser) and the pure-Python parser word some errors differently.
    "tab indentation": ("name: dev\n\tworkload: x\n",
                        r"YAML syntax error: line 2, column 1: a tab character; YAML indents with spaces only"),
    # A tab anywhere YAML expects indentation, in either parser's words ("found character that cannot start
    # any token" did not say it was a tab).
    "tab inside a block": ("a:\n  b: 1\n\tc: 2\n", r"line 3, column 1: a tab character; YAML indents with spaces only"),
    "tab before a list item": ("a:\n\t- 1\n", r"line 2, column 1: a tab character; YAML indents with spaces only"),
    "tab after the indentation": ("a:\n  b: 1\n  \tc: 2\n", r"line 3, column 3: a tab character"),
    # Where the broken construct started, not only where the parser gave up.
    "unclosed quote": ('name: "dev\nworkload: x\n', r"YAML syntax error: line 3.*found unexpected end of stream \(in the "
                       r"quoted text opened at line 1, column 7; is its closing quote missing\?\)"),
    "unclosed flow list": ("regions: [\n", r"YAML syntax error: line 2"),
    "unclosed flow list before the next key": ("zones: [1, 2\nname: dev\n", r"YAML syntax error: line 2, column 5: .* \(in "
                                               r"the \[ \] list opened at line 1, column 8; is its closing \] missing\?\)"),
    "unclosed flow mapping": ("name: dev\nworkload: x\nkey_vault: {purge_protection: false,\n  soft_delete_retention_days: 7"
                              "\nmonitoring: {}\n",
                              r"YAML syntax error: line 5, column 11: (did not find expected|expected) ',' or '\}'.* \(in "
                              r"the \{ \} mapping opened at line 3, column 12; is its closing \} missing\?\)"),
    "mis-indented key": ("a:\n  b: 1\n c: 2\n", r"line 3, column 2: .*\(in the mapping that starts at line 1, column 1; "
                         r"keys of one mapping start in the same column\)"),
    "unquoted colon in a value": ("name: dev: x\n", r"line 1, column 10: mapping values are not allowed .*\(a value "
                                  r"that contains ': ' must be quoted, e\.g\. \"a: b\"\)"),
    "two documents": ("name: dev\n---\nname: prod\n",
                      r"line 2, column 1: expected a single document in the stream, but found another document"),
    "a bare number": ("42\n", r"the file is a number; an environment file must be a mapping"),
    "a sentence": ("just some words\n", r"the file is a single string; an environment file must be a mapping"),
    "a set": ("!!set {a, b}\n", r"the file is a set"),
    "comments only": ("# nothing here\n", r"the file is empty"),
    "random bytes": (bytes(range(256)) * 4, r"file is not UTF-8 text"),
    "UTF-16": ("name: dev\n".encode("utf-16"), r"file is not UTF-8 text"),
    "Latin-1": ("owner: Jos\xe9\n".encode("latin-1"), r"file is not UTF-8 text"),
    "NUL byte": ("name: dev\x00\n", r"cannot parse YAML: unacceptable character #x0000"),
    "too large": ("# padding\n" * (MAX_FILE_BYTES // 10 + 1), rf"file is larger than {MAX_FILE_BYTES} bytes"),
    "deep nesting": ("name: " + "[" * 40 + "]" * 40 + "\n", r"nesting deeper than 12 levels"),
    "very deep nesting": ("[" * 200_000, r"nesting (too deep|deeper than 12 levels)|exceeded maximum nesting depth"),
    "recursive alias": ("a: &a [*a]\n", r"nesting deeper than 12 levels"),
    "billion laughs": (billion_laughs(), r"more than 20000 values \(after expanding aliases\)"),
    "python object tag": ("name: !!python/object/apply:os.system [echo hi]\n",
                          r"could not determine a constructor for the tag 'tag:yaml\.org,2002:python/object/apply"),
    "bool tag on a word": ("name: !!bool maybe\n", r"line 1, column 7: bool value 'maybe' cannot be read"),
    "timestamp tag on a word": ("name: !!timestamp soon\n", r"line 1, column 7: timestamp value 'soon' cannot be read"),
    "int beyond Python's digit limit": ("name: " + "9" * 5000 + "\n", r"line 1, column 7: int value '9+' cannot be read"),
    "complex key": ("? [a, b]\n: c\n", r"mapping keys must be plain scalars, got list"),
    "merge of a scalar": ("<<: 5\n", r"expected a mapping or list of mappings for merging"),
}


@pytest.mark.parametrize(("content", "message"), WHOLE_FILE.values(), ids=WHOLE_FILE.keys())
def test_whole_file_abuse(tmp_path, content, message):
    error = refused(tmp_path, content)
    rendered = str(error)
    assert re.search(message, rendered), rendered
    assert rendered.startswith(f"{tmp_path / 'dev.yaml'}: ")
    assert len(error.problems) == 1, rendered


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_not_read_whole(tmp_path):
    path = tmp_path / "dev.yaml"
    path.symlink_to("/dev/zero")  # reading it whole would never finish
    with pytest.raises(ConfigError, match=rf"dev\.yaml: file is larger than {MAX_FILE_BYTES} bytes"):
        load_environment(path)


def test_unreadable_file(tmp_path):
    path = tmp_path / "dev.yaml"
    path.mkdir()  # opening fails with an OSError, as a permission problem would
    with pytest.raises(ConfigError, match=r"dev\.yaml: cannot read the file \(Is a directory\)"):
        load_environment(path)


def test_unquoted_dates_stay_strings(tmp_path):
    """YAML 1.1 would turn 2026-12-01 into a date the string field then rejects."""
    text = dump(base_env())
    text = re.sub(r"start_date: '(\d{4}-\d\d-\d\d)'", r"start_date: \1", text)
    assert re.search(r"start_date: \d{4}-\d\d-\d\d\n", text), "the shipped dev.yaml has a budget start date"
    assert load(tmp_path, text).budget.start_date == re.search(r"start_date: (\S+)", text).group(1)


# --- wrong shapes, types, limits -----------------------------------------------------------------

WRONG_VALUES = {
    "regions as a mapping": ("regions", {"eastus2": {}}, r"regions: must be a list \(e\.g\. \[a, b\] or one '- item' line per entry\), got a mapping"),
    "name as a list": ("name", ["dev"], r"^.*dev\.yaml: name: must be text, got a list"),
    "hub as null": ("regions[0].hub", None, r"regions\[0\]\.hub: must be a mapping \(indented 'key: value' lines\), got null"),
    "zones as one string": ("regions[0].zones", "123", r"regions\[0\]\.zones: must be a list .*, got the text '123'"),
    "zone out of range": ("regions[0].zones", [1, 2, 4], r"regions\[0\]\.zones\[2\]: '4' is not one of: 1, 2, 3"),
    "tags as a list": ("tags", ["a"], r"tags: must be a mapping .*, got a list"),
    "tag value null": ("tags", {"Criticality": None}, r"tags\.Criticality: must be text, got null"),
    "tag name with a slash": ("tags", {"a/b": "x"}, r"tags: tag name 'a/b' contains a character Azure forbids"),
    "count as a word": ("cluster.user_pool.min_count", "three", r"cluster\.user_pool\.min_count: must be a whole number, got the text 'three'"),
    "count as a fraction": ("cluster.user_pool.max_count", 2.5, r"cluster\.user_pool\.max_count: must be a whole number, got the number 2\.5"),
    "count zero": ("cluster.system_pool.max_count", 0, r"cluster\.system_pool\.max_count: 0 is below the minimum of 1"),
    "user pool count negative": ("cluster.user_pool.min_count", -1, r"cluster\.user_pool\.min_count: -1 is below the minimum of 0"),
    "count negative": ("cluster.system_pool.max_count", -3, r"cluster\.system_pool\.max_count: -3 is below the minimum of 1"),
    "count astronomically large": ("cluster.user_pool.max_count", 10**30, r"cluster\.user_pool\.max_count: 10+ is above the maximum of 1000"),
    "count not a number": ("cluster.user_pool.max_count", float("nan"), r"cluster\.user_pool\.max_count: must be a (finite number|whole number)"),
    "system pool min above max": ("cluster.system_pool.min_count", 9, r"cluster\.system_pool\.min_count: 9 is more than max_count \(3\)"),
    "owner too long": ("owner", "x" * 300, r"owner: must be at most 256 characters long; it has 300"),
    "workload too long": ("workload", "a" * 13, r"workload: 'a{13}' is not a workload name: 3-12 lowercase letters"),
    "environment name too long": ("name", "abcdefghi", r"name: 'abcdefghi' is not an environment name: 2-8 lowercase letters and digits"),
    "region in display form": ("regions[0].name", "East US 2", r"regions\[0\]\.name: 'East US 2' is not an Azure region name"),
    "region as a number": ("regions[0].name", 2, r"regions\[0\]\.name: must be text, but YAML read 2 as a number; quoting it "
                           r"\(\"2\"\) is not enough: '2' is not an Azure region name; use .*eastus2"),
    "IPv6 CIDR": ("regions[0].spoke.subnets.nodes", "fd00::/64", r"regions\[0\]\.spoke\.subnets\.nodes: 'fd00::/64' is not a CIDR: 'fd00::' is not an IPv4 address \(four numbers from 0 to 255 separated by dots\), e\.g\. 10\.240\.0\.0/16"),
    "prefix beyond /32": ("regions[0].spoke.subnets.nodes", "10.240.0.0/33", r"subnets\.nodes: '10\.240\.0\.0/33' is not a CIDR: the prefix length after / must be a whole number from 0 to 32, e\.g\. 10\.240\.0\.0/24"),
    "octet beyond 255": ("regions[0].hub.address_space", "10.300.0.0/24", r"hub\.address_space: '10\.300\.0\.0/24' is not a CIDR: '10\.300\.0\.0' is not an IPv4 address"),
    "CIDR with a trailing space": ("regions[0].spoke.subnets.ingress", "10.240.4.0/28 ", r"subnets\.ingress: '10\.240\.4\.0/28 ' has spaces around it; write '10\.240\.4\.0/28' without them"),
    "CIDR as a list": ("regions[0].spoke.subnets.ingress", ["10.240.4.0/28"], r"subnets\.ingress: .*expected a CIDR string"),
    "spoke covering everything": ("regions[0].spoke.address_space", "0.0.0.0/0", r"regions\[0\]\.spoke\.address_space: 0\.0\.0\.0/0 overlaps regions\[0\]\.hub\.address_space"),
    "unknown key inside a list item": ("regions[0].hubb", {}, r"regions\[0\]\.hubb: unknown key"),
}


@pytest.mark.parametrize(("path", "value", "message"), WRONG_VALUES.values(), ids=WRONG_VALUES.keys())
def test_wrong_values(tmp_path, path, value, message):
    rendered = str(refused(tmp_path, set_path(base_env(), path, value)))
    assert re.search(message, rendered, re.MULTILINE), rendered
    assert all(line.startswith(f"{tmp_path / 'dev.yaml'}: ") for line in rendered.splitlines())


@pytest.mark.parametrize("path", ["regions", "entra", "regions[0].hub.subnets.firewall", "state.container_name"])
def test_missing_required_fields(tmp_path, path):
    data = base_env()
    *parents, last = path.replace("]", "").replace("[", ".").split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    del target[last]
    rendered = str(refused(tmp_path, data))
    assert any(line.startswith(f"{tmp_path / 'dev.yaml'}: {path}: required field is missing; add ")
               for line in rendered.splitlines()), rendered


def test_odd_unknown_key_is_quoted_and_escaped(tmp_path):
    data = base_env()
    data["state"]["bad key\x1b[31m"] = 1
    rendered = str(refused(tmp_path, data))
    assert rendered.startswith(f"{tmp_path / 'dev.yaml'}: state['bad key\\x1b[31m']: unknown key")
    assert "\n" not in rendered


def test_output_stays_readable(tmp_path):
    """A 100 kB value and 3 000 bad list items give a bounded message; no raw control characters."""
    data = set_path(base_env(), "regions[0].name", "\x1b[2J" + "x" * 100_000)
    set_path(data, "regions[0].zones", ["9"] * 3000)
    error = refused(tmp_path, data)
    rendered = str(error)
    assert len(error.problems) > 3000
    assert len(rendered) < 20_000
    assert rendered.endswith("more problems")
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", rendered)  # newlines only between problems
    assert "regions[0].name: '\\x1b[2Jxxx" in rendered


def test_control_characters_in_a_path_are_escaped(tmp_path):
    folder = tmp_path / "envs\x1b[2J\nprod.yaml: all good"
    folder.mkdir()
    with pytest.raises(ConfigError) as info:
        load_environments(folder)
    lines = str(info.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{tmp_path}/envs\\x1b[2J\\nprod.yaml: all good: no environment files")


def test_duplicate_environment_across_files(tmp_path):
    """prod.yaml claiming to be dev: the file name decides, so the second definition is refused."""
    write_env(tmp_path, base_env(), name="dev")
    write_env(tmp_path, base_env(), name="prod")
    with pytest.raises(ConfigError) as info:
        load_environments(tmp_path)
    assert str(info.value).splitlines() == [
        f"{tmp_path / 'prod.yaml'}: name: 'dev' must match the file name 'prod', e.g. name: prod"]


def test_only_non_yaml_files(tmp_path):
    (tmp_path / "dev.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("hi")
    (tmp_path / "old.yaml").mkdir()  # a folder named like an env file is not one
    with pytest.raises(ConfigError, match=r"no environment files \(\*\.yaml\)"):
        load_environments(tmp_path)


# --- property-based ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


YAMLISH = st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`?,. \n\tabcdenm01259<")), max_size=200)


@FUZZ
@given(content=st.one_of(st.text(max_size=300), st.binary(max_size=300), YAMLISH))
def test_any_text_or_bytes_loads_or_raises_config_error(fuzz_dir, content):
    try:
        load(fuzz_dir, content)
    except ConfigError as error:
        assert str(error).startswith(str(fuzz_dir / "dev.yaml"))


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


def _all_paths(value: Any, at: tuple = ()) -> list[tuple]:
    paths = [at] if at else []
    if isinstance(value, dict):
        for key, item in value.items():
            paths += _all_paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            paths += _all_paths(item, (*at, index))
    return paths


BASE_PATHS = _all_paths(base_env())
FIELD_PATH = re.compile(r"^[\w\[\]'.-]+(\[[^\]]*\])*: ")


@FUZZ
@given(path=st.sampled_from(BASE_PATHS), replacement=JSONISH, delete=st.booleans())
def test_structured_garbage_is_valid_or_names_a_field(fuzz_dir, path, replacement, delete):
    data = copy.deepcopy(base_env())
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    file = fuzz_dir / "dev.yaml"
    file.write_text(dump(data))
    try:
        load_environment(file)
    except ConfigError as error:
        for source, problem in error.located:
            assert source == str(file)
            # Either a field path, or a model-level rule whose message starts with the field.
            assert problem.path or FIELD_PATH.match(problem.message), problem


def _cidr(address: int, prefix: int) -> str:
    return f"{ipaddress.IPv4Address(address)}/{prefix}"


CIDRS = st.one_of(
    st.builds(_cidr, st.integers(0, 2**32 - 1), st.integers(0, 32)),  # often host bits set
    st.builds(lambda net: str(net), st.builds(
        lambda a, p: ipaddress.IPv4Network((a, p), strict=False), st.integers(0, 2**32 - 1), st.integers(0, 32))),
    st.from_regex(r"\A[0-9./: a-f]{0,24}\Z"),
)
SUBNET_FIELDS = [p for p in BASE_PATHS if len(p) > 1 and (p[-2] == "subnets" or p[-1] in (
    "address_space", "ingress_load_balancer_ip"))]


@FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(SUBNET_FIELDS), CIDRS), min_size=1, max_size=6))
def test_random_cidrs_never_crash(fuzz_dir, changes):
    data = copy.deepcopy(base_env())
    for path, cidr in changes:
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = cidr
    file = fuzz_dir / "dev.yaml"
    file.write_text(dump(data))
    try:
        env = load_environment(file)
    except ConfigError as error:
        assert all(problem.path for problem in error.problems), str(error)
    else:  # accepted: then the plan really is consistent
        for region in env.regions:
            for vnet in (region.hub, region.spoke):
                subnets = list(vnet.subnets.model_dump().values())
                assert all(subnet.subnet_of(vnet.address_space) for subnet in subnets)
                assert not any(a.overlaps(b) for i, a in enumerate(subnets) for b in subnets[i + 1:])


# --- end to end through main.py -----------------------------------------------------------------

def _envs_with(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir()
    (folder / name).write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


CLI_CASES = {
    "syntax error": ("dev.yaml", "name: dev\n  workload: [\n", [r"dev\.yaml: YAML syntax error: line 2"]),
    "wrong type": ("dev.yaml", dump(set_path(base_env(), "cluster.user_pool.max_count", "many")),
                   [r"dev\.yaml: cluster\.user_pool\.max_count: must be a whole number, got the text 'many'"]),
    "unknown key": ("dev.yaml", dump(set_path(base_env(), "regions[0].spoke.subnetz", {})),
                    [r"dev\.yaml: regions\[0\]\.spoke\.subnetz: unknown key"]),
    "overlapping CIDR": ("dev.yaml", dump(set_path(base_env(), "regions[0].spoke.subnets.ingress", "10.240.0.0/28")),
                         [r"dev\.yaml: regions\[0\]\.spoke\.subnets\.ingress: 10\.240\.0\.0/28 overlaps"]),
    "binary garbage": ("dev.yaml", bytes(range(256)), [r"dev\.yaml: file is not UTF-8 text"]),
    "alias bomb": ("dev.yaml", billion_laughs(), [r"dev\.yaml: cannot parse YAML: more than 20000 values"]),
    "no env files": ("README.md", "# not an environment\n", [r"envs: no environment files"]),
}


@pytest.fixture(scope="module", autouse=True)
def cli_runs(request, tmp_path_factory):
    """Every CLI case through main.py, run in one background process (tests/main_batch.py) that
    starts with this module's first test when a CLI test is selected, so it overlaps the fuzz tests.
    Per case: (its folder, the marker left by a previous synth, the marker's mtime, the batch)."""
    if not any(getattr(item, "originalname", "") == "test_main_refuses_bad_config_cheaply"
               for item in request.session.items):
        return None
    cases, folders = {}, {}
    for case, (file_name, content, _) in CLI_CASES.items():
        base = tmp_path_factory.mktemp("cli")
        envs = _envs_with(base / "envs", file_name, content)
        outdir = base / "out"
        outdir.mkdir()
        marker = outdir / "previous-synth.json"
        marker.write_text('{"keep": true}')
        cases[case] = ["--envs", str(envs), "--outdir", str(outdir)]
        folders[case] = (base, marker, marker.stat().st_mtime_ns)
    return folders, start_batch(cases)


@pytest.mark.parametrize("case", CLI_CASES)
def test_main_refuses_bad_config_cheaply(cli_runs, case):
    folders, batch = cli_runs
    base, marker, before = folders[case]
    run = batch.result(timeout=120)[case]
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    for pattern in CLI_CASES[case][2]:
        assert re.search(pattern, run.stderr), run.stderr
    assert "is unchanged" in run.stderr
    assert marker.read_text() == '{"keep": true}' and marker.stat().st_mtime_ns == before
    assert sorted(p.name for p in base.iterdir()) == ["envs", "out"], "no staging folder left behind"
    assert not run.imported, "refused before cdktf was imported"
