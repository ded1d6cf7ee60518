"""Checks shared by the constructs' props validation.

Props often carry Terraform tokens (ids known only at apply time); a rule about a value's format
applies only to literals, so every check pairs with `is_token`.
"""

from __future__ import annotations

import ipaddress
import re
import uuid

from cdktf import Token

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
"""A lowercase DNS label (RFC 1123), also a Kubernetes namespace name."""
DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
"""A lowercase fully qualified DNS name ending in an alphabetic top-level label."""


def is_token(value: object) -> bool:
    """True for an unresolved Terraform reference such as `${azurerm_subnet.x.id}`."""
    return isinstance(value, str) and Token.is_unresolved(value)


def is_guid(value: object) -> bool:
    """True for a GUID (tenant, object and group IDs)."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def ipv4_network(field_name: str, value: str) -> ipaddress.IPv4Network:
    """Parse a CIDR with no host bits set; the error names the field."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{field_name}: {value!r} is not a valid IPv4 CIDR ({error})") from None
