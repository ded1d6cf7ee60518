"""The environment file is documented and editor-checked from the model itself: the JSON Schema,
the README key table and the annotated example cannot drift from `config.models`."""

from __future__ import annotations

import json

import jsonschema
import pytest

from constructs_lib.config.loader import load_environment
from tests import envfiles
from tests.envfiles import PROJECT_ROOT
from tools import env_schema


def test_committed_schema_example_and_readme_table_match_the_model(capsys):
    assert env_schema.main(["--check"]) == 0, capsys.readouterr().err


def test_every_key_has_a_description():
    undocumented = [path for path, _, _, text in env_schema.key_rows() if not text.strip()]
    assert not undocumented, f"give these fields a docstring: {undocumented}"


def test_the_example_is_a_valid_environment_that_writes_out_every_key():
    env = load_environment(env_schema.EXAMPLE_PATH)
    assert env.name == "example"
    text = env_schema.EXAMPLE_PATH.read_text()
    keys = {path.rsplit(".", 1)[-1].split("[", 1)[0] for path, *_ in env_schema.key_rows()}
    missing = sorted(key for key in keys if f"{key}:" not in text)
    # The other state backends are documented in the table, not in the example's azurerm state.
    assert set(missing) <= {"organization", "project", "workspace_name", "hostname"}, missing


@pytest.mark.parametrize("path", sorted(envfiles.tested_envs_folder().glob("*.yaml")), ids=lambda p: p.name)
def test_every_environment_file_passes_the_schema_editors_use(path):
    schema = json.loads(env_schema.SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(envfiles.load_yaml(path.read_text()))


def test_the_schema_refuses_what_the_loader_refuses():
    schema = json.loads(env_schema.SCHEMA_PATH.read_text())
    data = envfiles.base_env()
    data["cluster"]["user_pool"]["min"] = 1
    with pytest.raises(jsonschema.ValidationError, match="Additional properties are not allowed"):
        jsonschema.Draft202012Validator(schema).validate(data)


def test_shipped_env_files_point_editors_at_the_schema():
    for path in sorted((PROJECT_ROOT / "envs").glob("*.yaml")):
        assert path.read_text().splitlines()[0] == env_schema.MODELINE, path.name
    assert (PROJECT_ROOT / "envs" / env_schema.MODELINE.split("=./", 1)[1]).is_file()
