"""`<env>-global`: what every region of an environment shares and needs before its cluster.

The one container registry (Premium, private, zone redundant, geo-replicated to the other regions)
and, with Front Door on, the Front Door Premium profile, its endpoint, the edge WAF policy and
its security policy, the public host as a custom domain with a managed certificate, and (with a
public DNS zone) the TXT record that validates it. A workspace of its own takes the diagnostics,
so this stack depends on no other stack. The regional cluster stacks look the registry and the
profile up by name; the routing stack adds the origins once the regions run.
"""

from __future__ import annotations

from cdktf import TerraformOutput
from cdktf_cdktf_provider_azurerm.resource_group import ResourceGroup
from constructs import Construct

from constructs_lib.config.models import Environment
from constructs_lib.config.resource_names import FRONT_DOOR_SECURITY_POLICY
from constructs_lib.config.rules import check_public_dns_zone
from constructs_lib.config.stack_plan import GLOBAL_KIND
from constructs_lib.ingress.front_door import FrontDoor, FrontDoorProps
from constructs_lib.ingress.front_door_dns import FrontDoorDnsRecordProps, FrontDoorValidationRecord
from constructs_lib.ingress.front_door_waf_policy import FrontDoorWafPolicy, FrontDoorWafPolicyProps
from constructs_lib.observability.log_analytics import LogAnalyticsWorkspace, LogAnalyticsWorkspaceProps
from constructs_lib.security.container_registry import ContainerRegistry, ContainerRegistryProps
from constructs_lib.stacks.lookups import public_dns_zone_id
from constructs_lib.stacks.regional_stack import EnvironmentStack


class GlobalStack(EnvironmentStack):
    """Resource group (in the first region), workspace, shared registry; Front Door profile,
    endpoint, WAF policy, security policy, custom domain and its DNS validation record."""

    kind = GLOBAL_KIND

    def __init__(self, scope: Construct, environment: Environment):
        super().__init__(scope, environment)
        env, names = environment, self.names
        home = env.registry_home
        self.group = ResourceGroup(self, "ResourceGroup", name=names.resource_group, location=home)
        rg = self.group.name
        self.workspace = LogAnalyticsWorkspace(self, "LogAnalytics", LogAnalyticsWorkspaceProps(
            name=names.log_analytics, location=home, resource_group_name=rg,
            retention_in_days=env.monitoring.retention_days))
        self.registry = ContainerRegistry(self, "Registry", ContainerRegistryProps(
            name=names.container_registry, location=home, resource_group_name=rg,
            log_analytics_workspace_id=self.workspace.id,
            replica_locations=tuple(env.registry_replicas()),
            zone_redundancy_enabled=bool(env.regions[0].zones),
        ))
        if env.front_door_enabled:
            self._front_door(rg)
        self._outputs()

    def _outputs(self) -> None:
        """What the next steps and people need; nothing sensitive."""
        outputs = {
            "registry_name": (self.names.container_registry,
                              "The environment's registry: import images once (az acr import --name)."),
            "registry_login_server": (self.registry.login_server, "Login server every cluster pulls from."),
            "log_analytics_workspace_id": (self.workspace.id, "Workspace of the global layer's diagnostics."),
        }
        if self.environment.front_door_enabled:
            outputs |= {
                "front_door_endpoint_host_name": (self.front_door.endpoint.host_name,
                                                  "Front Door endpoint (CNAME target of the public host)."),
                "front_door_profile_resource_guid": (self.front_door.resource.resource_guid,
                                                     "The X-Azure-FDID every App Gateway admits."),
                "custom_domain_validation_token": (self.front_door.custom_domain.validation_token,
                                                   "TXT value of _dnsauth.<public host> when you manage DNS yourself."),
            }
        for key, (value, description) in outputs.items():
            TerraformOutput(self, key, value=value, description=description)

    def _front_door(self, rg: str) -> None:
        env, names = self.environment, self.names
        zone = env.front_door.public_dns_zone
        waf = FrontDoorWafPolicy(self, "FrontDoorWafPolicy", FrontDoorWafPolicyProps(
            name=names.front_door_firewall_policy, resource_group_name=rg))
        self.front_door = FrontDoor(self, "FrontDoor", FrontDoorProps(
            profile_name=names.front_door_profile, endpoint_name=names.front_door_endpoint,
            resource_group_name=rg, firewall_policy_id=waf.id,
            log_analytics_workspace_id=self.workspace.id,
            custom_domain_name=names.front_door_custom_domain,
            custom_domain_host_name=env.ingress.public_fqdn,
            security_policy_name=FRONT_DOOR_SECURITY_POLICY,
            dns_zone_id=public_dns_zone_id(self, zone) if zone is not None else None,
        ))
        if zone is not None:
            FrontDoorValidationRecord(self, "DomainValidationRecord", FrontDoorDnsRecordProps(
                zone_name=zone.name, zone_resource_group_name=zone.resource_group_name,
                relative_name=check_public_dns_zone(zone.name, env.ingress.public_fqdn),
                value=self.front_door.custom_domain.validation_token))
