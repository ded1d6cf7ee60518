"""The partial view of a file that did not validate (`config.partial`): each part reads exactly as the
model would read it, an invalid part is unavailable (never guessed), and every model's rules run on it."""

from __future__ import annotations

import datetime

import pytest
from pydantic import BaseModel

from constructs_lib.config import models
from constructs_lib.config.partial import INVALID, Partial, rule_problems, view
from constructs_lib.config.rules import Unavailable
from tests.envfiles import base_env, refused, set_path, two_regions

CONTEXT = {"today": datetime.date(2026, 11, 29)}


def every_model() -> list[type[BaseModel]]:
    return [value for value in vars(models).values()
            if isinstance(value, type) and issubclass(value, models.StrictModel) and value is not models.StrictModel]


@pytest.mark.parametrize("model", every_model(), ids=lambda model: model.__name__)
def test_every_field_rule_is_part_of_the_fields_type(model):
    """A field is validated alone through its type when the file fails elsewhere; a `field_validator`
    on the model would be skipped there, so the models keep every field rule in the field's type."""
    assert not model.__pydantic_decorators__.field_validators, model.__name__


def test_a_valid_file_is_its_model_and_a_broken_one_keeps_every_valid_value():
    data = two_regions()
    whole = models.Environment.model_validate(data, context=CONTEXT)
    assert view(models.Environment, data, CONTEXT) == whole
    set_path(data, "monitoring.alert_emails", ["aks-ops"])  # one field breaks monitoring, and so the file
    set_path(data, "regions[1].origin.weight", 0)  # and one field of the second region
    broken = view(models.Environment, data, CONTEXT)
    assert isinstance(broken, Partial)
    for name in models.Environment.model_fields:
        if name not in ("monitoring", "regions"):
            assert getattr(broken, name) == getattr(whole, name), name  # converted exactly as the model does
    regions = broken.regions
    assert regions[0] == whole.regions[0] and isinstance(regions[1], Partial)
    assert regions[1].hub == whole.regions[1].hub and regions[1].zones == ("1", "2", "3")
    assert broken.monitoring.retention_days == 30 and broken.registry_home == "eastus2"  # properties run too
    with pytest.raises(Unavailable):
        broken.monitoring.alert_emails  # noqa: B018 (reading it is the test)
    with pytest.raises(Unavailable):
        regions[1].origin.weight  # noqa: B018
    with pytest.raises(Unavailable):
        broken.model_dump()  # pydantic's own methods do not pretend to work on a partial view


def test_a_section_that_is_not_a_mapping_or_a_missing_required_one_is_unavailable():
    data = set_path(base_env(), "cluster", 5)
    del data["entra"]
    broken = view(models.Environment, data, CONTEXT)
    assert broken.values["cluster"] is INVALID and broken.values["entra"] is INVALID
    with pytest.raises(Unavailable):
        broken.cluster.sku_tier  # noqa: B018
    assert broken.app_gateway.max_capacity == 2  # dev's own value, read from the file


def test_rules_of_every_failed_section_run_on_the_partial_view():
    """A region whose origin is invalid still gets its zones rule, the cluster whose sku is invalid
    still gets its pool-name rule, and the environment its cross-section rules."""
    data = set_path(base_env(), "regions[0].name", "westus")  # no availability zones there
    set_path(data, "regions[0].origin.weight", 0)
    set_path(data, "cluster.sku_tier", "Freee")
    set_path(data, "cluster.user_pool.name", "npsystem")
    set_path(data, "environment_type", "production")
    found = rule_problems(view(models.Environment, data, CONTEXT), context=CONTEXT)
    located = [(location, message.split(":", 1)[0]) for location, message in found]
    assert (("regions", 0), "zones") in located
    assert (("cluster",), "user_pool.name") in located
    assert ((), "cluster.spot_pool") in located and ((), "cluster.sku_tier") not in located, located


def test_the_loader_reports_a_rule_of_a_section_pydantic_never_judged(tmp_path):
    data = set_path(base_env(), "regions[0].name", "westus")
    set_path(data, "regions[0].origin.weight", 0)
    data.pop("paired_region")
    paths = [problem.path for problem in refused(tmp_path, data).problems]
    assert paths == ["regions[0].origin.weight", "regions[0].zones"], paths
