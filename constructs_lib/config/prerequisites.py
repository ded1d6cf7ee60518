"""What has to be true before each stack of an environment can be applied, beyond the stacks it
depends on: feature registrations, images in the registry, network reach, tools, published
manifests, identities. Derived from the environment file alone (real registry, cluster, vault and
network names come from `config.resource_names`), so `DEPLOY_ORDER.md` (per stack) and the README
(per kind, `PREREQUISITE_KINDS`) read the same data; tests hold both to it.

Pure Python: nothing here imports cdktf.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs_lib.config.models import AzureRmState, CloudState, Environment, Region
from constructs_lib.config.resource_names import (
    KEY_VAULT_ZONE,
    BootstrapNames,
    EnvironmentNames,
    RegionNames,
    api_server_zone,
    github_environments,
)
from constructs_lib.config.stack_plan import BOOTSTRAP_KIND, GLOBAL_KIND, ROUTING_KIND, stack_plan
from constructs_lib.config.subscription_requirements import ENCRYPTION_AT_HOST

PREREQUISITE_KINDS: dict[str, str] = {
    "rights": "Rights of whoever applies",
    "state": "State storage reachable",
    "github": "GitHub environments and variables",
    "feature": "Feature registration",
    "issuer": "Certificate issuer on the vault",
    "dns": "Public DNS records",
    "network": "Network reach",
    "images": "Images in the registry",
    "manifests": "Published cluster manifests",
    "kubelogin": "kubelogin",
}
"""Kind -> title, as the README's "Prerequisites per stack" section and DEPLOY_ORDER.md show it."""

IMAGE_SOURCES: dict[str, str] = {
    "traefik": "docker.io/library/traefik",
    "dotnet/samples": "mcr.microsoft.com/dotnet/samples",
}
"""Repository inside the environment's registry -> the public repository `az acr import` copies it
from. A repository not listed here is shown with a `<public-registry>/` placeholder."""



@dataclass(frozen=True)
class Prerequisite:
    """One thing that must hold before a stack is applied."""

    kind: str
    """A key of `PREREQUISITE_KINDS`."""
    text: str
    """One sentence (Markdown)."""
    commands: tuple[str, ...] = ()
    """Shell commands that establish it, with the environment's real names."""

    @property
    def title(self) -> str:
        return PREREQUISITE_KINDS[self.kind]


def image_source(image: str) -> str:
    """The public reference an image of `app.*image` (`repository:tag[@digest]`) is imported from."""
    repository, _, rest = image.partition(":")
    source = IMAGE_SOURCES.get(repository, f"<public-registry>/{repository}")
    return f"{source}:{rest}"


def acr_import_command(registry: str, image: str) -> str:
    """`az acr import` of one image into the environment's registry (Resource Manager call, so it
    works with the registry's public access off)."""
    target = image.split("@", 1)[0]
    return f"az acr import --name {registry} --source {image_source(image)} --image {target}"


def _state_reach(env: Environment) -> str:
    """How a machine reaches the state account the bootstrap stack creates: its public access admits
    `ci.runner_ip_ranges` only, and is off when there are none."""
    if env.ci and env.ci.runner_ip_ranges:
        return f"from an address in `ci.runner_ip_ranges` ({', '.join(map(str, env.ci.runner_ip_ranges))})"
    return ("through a private endpoint of the account, since its public network access is off "
            "(`ci.runner_ip_ranges` names no address)")


def _where_images_live(env: Environment) -> str:
    """Where an image imported into the environment's registry ends up, as
    `container_registry.geo_replication` and the regions decide."""
    home, replicas = env.registry_home, env.registry_replicas()
    if not replicas:
        return (f"into its home region {home}: with `container_registry.geo_replication: false` the registry has "
                "no replica, so the images exist there only")
    where = "the replica" if len(replicas) == 1 else "the replicas"
    return f"into its home region {home}; geo-replication copies them to {where} in {', '.join(replicas)}"


def _cloud_state(env: Environment) -> Prerequisite:
    state = env.state
    assert isinstance(state, CloudState)
    host = state.hostname or "app.terraform.io"
    project = f" in project `{state.project}`" if state.project else ""
    return Prerequisite("state", (
        f"Each stack's workspace (`{state.workspace_name}`) exists in organization `{state.organization}`"
        f"{project} on {host}, or this login may create it; remote state sharing lets nothing else read "
        "it (no stack reads another's state). Runs that execute remotely need Azure credentials on the "
        "workspace (dynamic provider credentials) and, for the cluster and workload stacks, an agent "
        "inside the network."), (f"terraform login {host}",))


def _bootstrap(env: Environment, stack: str) -> list[Prerequisite]:
    names = BootstrapNames.of(env)
    where = {"azurerm": "on local state (the remote state does not exist yet)",
             "cloud": "in its own workspace", "local": "on local state"}[env.state.backend]
    then = ("The stack then grants the pipeline's identities everything else; nobody needs Owner afterwards."
            if env.ci is not None else
            "Without a `ci:` section it creates no pipeline identity and grants nothing: every later stack is "
            "applied by a login with the rights its first stacks list.")
    found = [Prerequisite("rights", (
        "A person with Owner, or User Access Administrator plus Contributor, on the subscription applies it "
        f"once, {where}. {then}"))]
    if isinstance(env.state, CloudState):
        found.append(_cloud_state(env))
    if isinstance(env.state, AzureRmState):
        folder = f"cdktf.out/stacks/{stack}"
        found.append(Prerequisite("state", (
            f"After the first apply, move this stack's own state into `{env.state.storage_account_name}`/"
            f"`{env.state.container_name}`, {_state_reach(env)}: set `state.bootstrap_migrated: true` in "
            f"`envs/{env.name}.yaml`, synthesize, then migrate (answer yes)."), (
            "make synth",
            f"cd {folder} && terraform init -migrate-state")))
    if env.ci is not None:
        github = github_environments(env.name)
        repo = env.ci.github_repository
        commands = []
        for environment, output in ((github["plan"], "plan_identity_client_id"),
                                    (github["deploy"], "deploy_identity_client_id")):
            commands.append(f'gh variable set AZURE_CLIENT_ID --repo {repo} --env {environment} '
                            f'--body "$(terraform output -raw {output})"')
            for variable, out in (("AZURE_TENANT_ID", "tenant_id"), ("AZURE_SUBSCRIPTION_ID", "subscription_id")):
                commands.append(f'gh variable set {variable} --repo {repo} --env {environment} '
                                f'--body "$(terraform output -raw {out})"')
        found.append(Prerequisite("github", (
            f"In `{repo}`, create the GitHub environments `{github['plan']}` (no reviewers), "
            f"`{github['approval']}` (required reviewers) and `{github['deploy']}` (deployment branch main "
            f"only), then set their variables from this stack's outputs (run in its folder). The identities "
            f"`{names.plan_identity}` and `{names.deploy_identity}` trust exactly those environments."),
            tuple(commands)))
    return found


def _signing_in(env: Environment) -> list[Prerequisite]:
    """Who applies the first stacks of an environment's waves, and that the state is reachable."""
    if env.ci is not None:
        rights = (f"Terraform signs in as the deploy identity of GitHub environment "
                  f"`{github_environments(env.name)['deploy']}` with Contributor, Resource Policy Contributor and "
                  "(conditioned) Role Based Access Control Administrator on the subscription, as the bootstrap grants.")
    else:
        rights = ("Terraform signs in as your `az login`, which needs Contributor, Resource Policy Contributor and "
                  "Role Based Access Control Administrator (or Owner) on the subscription: without a `ci:` section "
                  "no deploy identity exists that the bootstrap would grant them to.")
    found = [Prerequisite("rights", rights)]
    if isinstance(env.state, CloudState):
        found.append(_cloud_state(env))
    if isinstance(env.state, AzureRmState):
        found.append(Prerequisite("state", (
            f"The state container `{env.state.storage_account_name}`/`{env.state.container_name}` exists "
            f"(bootstrap applied) and this machine reaches it {_state_reach(env)}.")))
    return found


def _environment_level(env: Environment, kind: str) -> list[Prerequisite]:
    """`<env>-global` (wave 1, with the hubs) and `<env>-routing`."""
    found = _signing_in(env) if kind == GLOBAL_KIND else []
    zone = env.front_door.public_dns_zone if env.front_door_enabled else None
    if zone is not None:
        record = "`_dnsauth` TXT record" if kind == GLOBAL_KIND else "CNAME record"
        found.append(Prerequisite("dns", (
            f"The public DNS zone `{zone.name}` exists in resource group `{zone.resource_group_name}` of the "
            f"subscription (this stack writes the {record} of `{env.ingress.public_fqdn}` into it).")))
    elif env.front_door_enabled and kind == ROUTING_KIND:
        found.append(Prerequisite("dns", (
            f"`{env.ingress.public_fqdn}` is validated for Front Door (the `_dnsauth` TXT record with the "
            "global stack's output `custom_domain_validation_token`) and points at the endpoint (a CNAME to "
            "the output `front_door_endpoint_host_name`) in your DNS, since no `front_door.public_dns_zone` is "
            "named.")))
    return found


def _regional(env: Environment, region: Region, kind: str) -> list[Prerequisite]:
    names = RegionNames.of(env, region)
    spoke = region.spoke.subnets
    found: list[Prerequisite] = []
    if kind == "hub":
        found += _signing_in(env)
    elif kind == "cluster":
        feature = ENCRYPTION_AT_HOST
        register, reregister = feature.register_commands()
        found.append(Prerequisite("feature", (
            f"The subscription has the `{feature.namespace}/{feature.feature}` feature registered (node pools use "
            "encryption at host); registration takes a few minutes, then re-register the provider."), (
            register, " ".join(feature.show_command()), reregister)))
        issuer = env.ingress.certificate_issuer
        if issuer != "Self":
            vault = names.cluster.key_vault
            found.append(Prerequisite("issuer", (
                f"The certificate issuer `{issuer}` exists on the Key Vault `{vault}` before its certificates "
                "are issued. The vault is created by this stack, so a region's first apply creates the vault "
                "alone, then the issuer is added with the CA account's credentials, then the whole stack is "
                "applied."), (
                "terraform apply -target=azurerm_key_vault.KeyVault_<id>   # the vault only (see cdk.tf.json)",
                f"az keyvault certificate issuer create --vault-name {vault} --issuer-name {issuer} "
                "--provider-name DigiCert --account-id <account> --password <api key>",
                "terraform apply")))
        found.append(Prerequisite("network", (
            f"Terraform reaches the Key Vault `{names.cluster.key_vault}` through its private endpoint in "
            f"`{spoke.private_endpoints}` (it creates the certificates there) and resolves `{KEY_VAULT_ZONE}` "
            f"through the hub's DNS: a runner in `{names.hub.virtual_network}` or "
            f"`{names.spoke.virtual_network}`, or a peered network.")))
    elif kind == "workload":
        registry = EnvironmentNames.of(env).container_registry
        found.append(Prerequisite("images", (
            f"The images the charts run are in the environment's shared registry `{registry}` (the Azure "
            f"Policy assignment denies every other registry); import them once {_where_images_live(env)}."),
            tuple(acr_import_command(registry, image) for image in (env.app.traefik_image, env.app.image))))
        gitops = env.gitops
        found.append(Prerequisite("manifests", (
            f"`cluster-manifests/` is published where Flux pulls it: `{gitops.repository_url}`, branch "
            f"`{gitops.branch}`, path `{gitops.path}` (commit and push it there).")))
        if env.cluster.private:
            found.append(Prerequisite("network", (
                f"Terraform reaches the private API server of `{names.cluster.cluster}` (API server subnet "
                f"`{spoke.api_server}`, zone `{api_server_zone(region.name)}`): a self-hosted runner in a "
                f"network peered with `{names.spoke.virtual_network}`, or a tunnel through the hub Bastion "
                f"`{names.hub.bastion}` (`az aks bastion`).")))
        pipeline = ("; for the pipeline, add the deploy identity (bootstrap output `deploy_identity_principal_id`)"
                    if env.ci is not None else "")
        found.append(Prerequisite("kubelogin", (
            f"`kubelogin` is on PATH; the Helm provider signs in with `--login {env.deploy.kubelogin_login}` "
            "(`deploy.kubelogin_login`). That identity is a member of one of "
            f"`entra.cluster_admin_group_object_ids` (Azure Kubernetes Service RBAC Cluster Admin){pipeline}."), (
            f"az aks get-credentials --resource-group {names.cluster.resource_group} "
            f"--name {names.cluster.cluster} && kubelogin convert-kubeconfig -l {env.deploy.kubelogin_login}",)))
    return found


def prerequisites(env: Environment) -> dict[str, list[Prerequisite]]:
    """Stack name -> its prerequisites (possibly none), for every stack of `stack_plan(env)`."""
    regions = {region.name: region for region in env.regions}
    result: dict[str, list[Prerequisite]] = {}
    for planned in stack_plan(env):
        if planned.kind == BOOTSTRAP_KIND:
            result[planned.name] = _bootstrap(env, planned.name)
        elif planned.region is not None:
            result[planned.name] = _regional(env, regions[planned.region], planned.kind)
        else:
            result[planned.name] = _environment_level(env, planned.kind)
    return result
