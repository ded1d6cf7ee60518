"""`<env>-routing`: Front Door's origins and route, applied after every region's workload.

One origin per region: the region's App Gateway public IP by its DNS label (a name computed from
the environment file, so nothing is read from the regional stacks), Host header and TLS server
name = the public host, certificate name check on; priority, weight and `enabled` from
`regions[].origin`. The HTTPS-only route serves the endpoint and the custom domain; with a public
DNS zone, the CNAME points the public host at the endpoint. The profile, endpoint and custom domain
are looked up by name from `<env>-global`.
"""

from __future__ import annotations

from cdktf import TerraformOutput
from constructs import Construct

from constructs_lib.config.models import Environment
from constructs_lib.config.resource_names import (
    FRONT_DOOR_ORIGIN_GROUP,
    FRONT_DOOR_ROUTE,
    front_door_origin,
)
from constructs_lib.config.rules import check_public_dns_zone
from constructs_lib.config.stack_plan import ROUTING_KIND
from constructs_lib.ingress.front_door_dns import FrontDoorCnameRecord, FrontDoorDnsRecordProps
from constructs_lib.ingress.front_door_routing import (
    FrontDoorOriginSpec,
    FrontDoorRouting,
    FrontDoorRoutingProps,
)
from constructs_lib.stacks.lookups import FrontDoorLookup, FrontDoorLookupProps
from constructs_lib.stacks.regional_stack import EnvironmentStack


class RoutingStack(EnvironmentStack):
    """Origin group, one origin per region, route, custom-domain association, CNAME."""

    kind = ROUTING_KIND

    def __init__(self, scope: Construct, environment: Environment):
        super().__init__(scope, environment)
        env, names = environment, self.names
        front_door = FrontDoorLookup(self, "FrontDoor", FrontDoorLookupProps(
            resource_group_name=names.resource_group, profile_name=names.front_door_profile,
            endpoint_name=names.front_door_endpoint, custom_domain_name=names.front_door_custom_domain))
        probe = env.front_door.health_probe
        self.routing = FrontDoorRouting(self, "Routing", FrontDoorRoutingProps(
            profile_id=front_door.profile.id, endpoint_id=front_door.endpoint.id,
            custom_domain_id=front_door.custom_domain.id,
            origin_host_header=env.ingress.public_fqdn,
            origins=tuple(
                FrontDoorOriginSpec(
                    key=region.name, name=front_door_origin(region.name),
                    host_name=self.region_names[region.name].spoke.app_gateway_fqdn(region.name),
                    priority=region.origin.priority, weight=region.origin.weight, enabled=region.origin.enabled)
                for region in env.regions),
            origin_group_name=FRONT_DOOR_ORIGIN_GROUP, route_name=FRONT_DOOR_ROUTE,
            probe_path=probe.path, probe_interval_seconds=probe.interval_seconds,
            sample_size=probe.sample_size, successful_samples_required=probe.successful_samples_required,
        ))
        zone = env.front_door.public_dns_zone
        if zone is not None:
            FrontDoorCnameRecord(self, "CnameRecord", FrontDoorDnsRecordProps(
                zone_name=zone.name, zone_resource_group_name=zone.resource_group_name,
                relative_name=check_public_dns_zone(zone.name, env.ingress.public_fqdn),
                value=front_door.endpoint.host_name,
                # The security policy was applied with <env>-global, before this stack.
                depends_on=(self.routing.route,)))
        TerraformOutput(self, "public_url", value=f"https://{env.ingress.public_fqdn}/",
                        description="The application's public address, served through Front Door.")
        TerraformOutput(self, "front_door_endpoint_host_name", value=front_door.endpoint.host_name,
                        description="Front Door endpoint the public host's CNAME points at.")
