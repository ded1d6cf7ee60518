"""Front Door's way to the regions: one origin group with HTTPS health probes, one origin per
region's App Gateway, and one HTTPS-only route for the endpoint and the custom domain.

Routing among the enabled, healthy origins: the lowest priority wins, then the origins within
`additional_latency_in_milliseconds` of the fastest share the traffic by weight
(https://learn.microsoft.com/azure/frontdoor/routing-methods). An origin is healthy while at least
`successful_samples_required` of the last `sample_size` probes returned 200 OK
(https://learn.microsoft.com/azure/frontdoor/health-probes). A disabled origin gets no traffic at
all, which is the maintenance switch.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_azurerm.cdn_frontdoor_custom_domain_association import (
    CdnFrontdoorCustomDomainAssociation,
)
from cdktf_cdktf_provider_azurerm.cdn_frontdoor_origin import CdnFrontdoorOrigin
from cdktf_cdktf_provider_azurerm.cdn_frontdoor_origin_group import (
    CdnFrontdoorOriginGroup,
    CdnFrontdoorOriginGroupHealthProbe,
    CdnFrontdoorOriginGroupLoadBalancing,
)
from cdktf_cdktf_provider_azurerm.cdn_frontdoor_route import CdnFrontdoorRoute
from constructs import Construct

from constructs_lib.config.patterns import CONSTRUCT_KEY, DNS_NAME, URL_PATH
from constructs_lib.config.resource_names import FRONT_DOOR_ORIGIN_GROUP, FRONT_DOOR_ROUTE
from constructs_lib.config.rules import (
    FRONT_DOOR_ORIGIN_PRIORITY,
    FRONT_DOOR_ORIGIN_WEIGHT,
    FRONT_DOOR_PROBE_INTERVAL_SECONDS,
    FRONT_DOOR_SAMPLES,
    check_health_probe_samples,
    check_range,
    check_some_origin_enabled,
)

LATENCY_SENSITIVITY_MS = 50
"""Origins this much slower than the fastest still share traffic (Front Door's default)."""


@dataclass(frozen=True)
class FrontDoorOriginSpec:
    """One region's App Gateway as an origin."""

    key: str
    """Static key (the region name); the construct ID `Origin-<key>`."""
    name: str
    """Name of the origin in the origin group (`origin-<region>`)."""
    host_name: str
    """The App Gateway public IP's FQDN (`<label>.<region>.cloudapp.azure.com`); unique per endpoint."""
    priority: int = 1
    """1-5, lower preferred. Default 1 (active/active with equal priorities)."""
    weight: int = 500
    """1-1000 within one priority. Default 500."""
    enabled: bool = True
    """False takes the region out of the rotation. Default true."""


@dataclass(frozen=True)
class FrontDoorRoutingProps:
    """Inputs of the origin group, the origins and the route."""

    profile_id: str
    """The Front Door profile."""
    endpoint_id: str
    """The endpoint the route serves."""
    custom_domain_id: str
    """The public host's custom domain, served by the route and associated with it."""
    origin_host_header: str
    """Host header (and TLS server name) Front Door sends to every origin: the public host, which
    every App Gateway listener serves with SNI required and a certificate for it."""
    origins: tuple[FrontDoorOriginSpec, ...]
    """One per region, at least one enabled."""
    origin_group_name: str = FRONT_DOOR_ORIGIN_GROUP
    """Name of the origin group (`config.resource_names.FRONT_DOOR_ORIGIN_GROUP`)."""
    route_name: str = FRONT_DOOR_ROUTE
    """Name of the route (`config.resource_names.FRONT_DOOR_ROUTE`)."""
    probe_path: str = "/favicon.ico"
    """Path probed over HTTPS with HEAD; it must answer 200. Default /favicon.ico."""
    probe_interval_seconds: int = 30
    """1-255 s between probes from each point of presence. Default 30."""
    sample_size: int = 4
    """Recent probes judged, 1-255. Default 4."""
    successful_samples_required: int = 3
    """Successful probes among them needed to stay healthy, at most `sample_size`. Default 3."""


def _validate(props: FrontDoorRoutingProps) -> None:
    if not props.origins:
        raise ValueError("front door routing: origins needs at least one origin")
    for field_name in ("profile_id", "endpoint_id", "custom_domain_id"):
        if not getattr(props, field_name):
            raise ValueError(f"front door routing: {field_name} is required")
    DNS_NAME.check("origin_host_header", props.origin_host_header)
    URL_PATH.check("probe_path", props.probe_path)
    check_range("probe_interval_seconds", props.probe_interval_seconds, FRONT_DOOR_PROBE_INTERVAL_SECONDS, "s")
    check_range("sample_size", props.sample_size, FRONT_DOOR_SAMPLES)
    check_range("successful_samples_required", props.successful_samples_required, FRONT_DOOR_SAMPLES)
    check_health_probe_samples(props.sample_size, props.successful_samples_required)
    hosts = [origin.host_name for origin in props.origins]
    keys = [origin.key for origin in props.origins]
    for label, values in (("host_name", hosts), ("key", keys)):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"front door routing: origin {label} {', '.join(duplicates)} listed more than once")
    for origin in props.origins:
        CONSTRUCT_KEY.check("origins[].key", origin.key)
        DNS_NAME.check(f"origins[{origin.key}].host_name", origin.host_name)
        check_range(f"origins[{origin.key}].priority", origin.priority, FRONT_DOOR_ORIGIN_PRIORITY)
        check_range(f"origins[{origin.key}].weight", origin.weight, FRONT_DOOR_ORIGIN_WEIGHT)
    check_some_origin_enabled({origin.key: origin.enabled for origin in props.origins})


class FrontDoorRouting(Construct):
    """`azurerm_cdn_frontdoor_origin_group` (session affinity off: the app is stateless), one
    `azurerm_cdn_frontdoor_origin` per region (HTTPS 443, certificate name check on, host header =
    the public host), an `azurerm_cdn_frontdoor_route` (`/*`, HTTPS only, forwarded over HTTPS, no
    caching, no HTTP redirect because nothing listens on HTTP) and the custom-domain association.

    With a single origin the group has no health probe: Microsoft advises turning probes off when
    there is nothing to fail over to (https://learn.microsoft.com/azure/frontdoor/best-practices).
    """

    def __init__(self, scope: Construct, id: str, props: FrontDoorRoutingProps):
        super().__init__(scope, id)
        _validate(props)
        self.origin_group = CdnFrontdoorOriginGroup(
            self,
            "OriginGroup",
            name=props.origin_group_name,
            cdn_frontdoor_profile_id=props.profile_id,
            session_affinity_enabled=False,
            load_balancing=CdnFrontdoorOriginGroupLoadBalancing(
                sample_size=props.sample_size,
                successful_samples_required=props.successful_samples_required,
                additional_latency_in_milliseconds=LATENCY_SENSITIVITY_MS,
            ),
            health_probe=CdnFrontdoorOriginGroupHealthProbe(
                protocol="Https", request_type="HEAD", path=props.probe_path,
                interval_in_seconds=props.probe_interval_seconds,
            ) if len(props.origins) > 1 else None,
        )
        self.origins = {
            origin.key: CdnFrontdoorOrigin(
                self,
                f"Origin-{origin.key}",
                name=origin.name,
                cdn_frontdoor_origin_group_id=self.origin_group.id,
                host_name=origin.host_name,
                origin_host_header=props.origin_host_header,
                certificate_name_check_enabled=True,
                https_port=443,
                http_port=80,
                priority=origin.priority,
                weight=origin.weight,
                enabled=origin.enabled,
            )
            for origin in props.origins
        }
        self.route = CdnFrontdoorRoute(
            self,
            "Route",
            name=props.route_name,
            cdn_frontdoor_endpoint_id=props.endpoint_id,
            cdn_frontdoor_origin_group_id=self.origin_group.id,
            cdn_frontdoor_origin_ids=[origin.id for origin in self.origins.values()],
            cdn_frontdoor_custom_domain_ids=[props.custom_domain_id],
            patterns_to_match=["/*"],
            supported_protocols=["Https"],
            https_redirect_enabled=False,
            forwarding_protocol="HttpsOnly",
            link_to_default_domain=True,
            enabled=True,
        )
        CdnFrontdoorCustomDomainAssociation(
            self, "CustomDomainAssociation", cdn_frontdoor_custom_domain_id=props.custom_domain_id,
            cdn_frontdoor_route_ids=[self.route.id])
