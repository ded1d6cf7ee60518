"""Checks shared by the constructs' props validation.

Props often carry Terraform tokens (ids known only at apply time); a rule about a value's format
applies only to literals, so every check pairs with `is_token`. The text patterns themselves
live in `config.patterns`, shared with the environment model.
"""

from __future__ import annotations

from cdktf import Token

from constructs_lib.config.patterns import GUID
from constructs_lib.config.rules import ipv4_network

__all__ = ["ALLOWED_ZONES", "ipv4_network", "is_guid", "is_token"]

ALLOWED_ZONES = ("1", "2", "3")
"""The availability zones a zonal resource may name (each at most once); also the default of
every construct's `zones`."""


def is_token(value: object) -> bool:
    """True for an unresolved Terraform reference such as `${azurerm_subnet.x.id}`."""
    return isinstance(value, str) and Token.is_unresolved(value)


def is_guid(value: object) -> bool:
    """True for a GUID (tenant, object and group IDs)."""
    return GUID.matches(value)
