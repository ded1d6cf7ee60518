"""Azure public regions this project can deploy to, with their availability-zone support.

Kept as data rather than looked up at run time: synthesis never talks to Azure, and a typo in a
region name must fail before any construct exists.
"""

from __future__ import annotations

from collections.abc import Sequence

# Regions with three availability zones (Azure's "regions with availability zones" list).
ZONE_REDUNDANT_REGIONS: frozenset[str] = frozenset(
    {
        "australiaeast", "austriaeast", "belgiumcentral", "brazilsouth", "canadacentral",
        "centralindia", "centralus", "chilecentral", "denmarkeast", "eastasia", "eastus",
        "eastus2", "francecentral", "germanywestcentral", "indonesiacentral", "israelcentral",
        "italynorth", "japaneast", "japanwest", "koreacentral", "malaysiawest", "mexicocentral",
        "newzealandnorth", "northeurope", "norwayeast", "polandcentral", "qatarcentral",
        "southafricanorth", "southcentralus", "southeastasia", "spaincentral", "swedencentral",
        "switzerlandnorth", "uaenorth", "uksouth", "westeurope", "westus2", "westus3",
    }
)

# Regions without availability zones: valid locations, but only a zone-less deployment fits.
REGIONS_WITHOUT_ZONES: frozenset[str] = frozenset(
    {
        "australiacentral", "australiacentral2", "australiasoutheast", "brazilsoutheast",
        "canadaeast", "francesouth", "germanynorth", "jioindiacentral", "jioindiawest",
        "koreasouth", "northcentralus", "norwaywest", "southafricawest", "southindia",
        "swedensouth", "switzerlandwest", "uaecentral", "ukwest", "westcentralus", "westindia",
        "westus",
    }
)

ALL_REGIONS: frozenset[str] = ZONE_REDUNDANT_REGIONS | REGIONS_WITHOUT_ZONES

# Azure's documented region pairs, used as the default geo-replication target of a
# single-region environment.
REGION_PAIRS: dict[str, str] = {
    "eastus": "westus", "westus": "eastus", "eastus2": "centralus", "centralus": "eastus2",
    "northcentralus": "southcentralus", "southcentralus": "northcentralus",
    "westus2": "westcentralus", "westcentralus": "westus2", "westus3": "eastus",
    "canadacentral": "canadaeast", "canadaeast": "canadacentral",
    "northeurope": "westeurope", "westeurope": "northeurope", "uksouth": "ukwest", "ukwest": "uksouth",
    "francecentral": "francesouth", "francesouth": "francecentral",
    "germanywestcentral": "germanynorth", "germanynorth": "germanywestcentral",
    "norwayeast": "norwaywest", "norwaywest": "norwayeast",
    "switzerlandnorth": "switzerlandwest", "switzerlandwest": "switzerlandnorth",
    "swedencentral": "swedensouth", "swedensouth": "swedencentral",
    "australiaeast": "australiasoutheast", "australiasoutheast": "australiaeast",
    "japaneast": "japanwest", "japanwest": "japaneast", "koreacentral": "koreasouth",
    "koreasouth": "koreacentral", "southeastasia": "eastasia", "eastasia": "southeastasia",
    "centralindia": "southindia", "southindia": "centralindia",
    "brazilsouth": "southcentralus", "southafricanorth": "southafricawest",
    "southafricawest": "southafricanorth", "uaenorth": "uaecentral", "uaecentral": "uaenorth",
}

# Short codes used inside names that have tight length limits (key vault, registry).
REGION_SHORT_CODES: dict[str, str] = {
    "australiacentral": "auc", "australiacentral2": "auc2", "australiaeast": "aue",
    "australiasoutheast": "ause", "austriaeast": "ate", "belgiumcentral": "bec",
    "brazilsouth": "brs", "brazilsoutheast": "brse", "canadacentral": "cac", "canadaeast": "cae",
    "centralindia": "inc", "centralus": "cus", "chilecentral": "clc", "denmarkeast": "dke",
    "eastasia": "ea", "eastus": "eus", "eastus2": "eus2", "francecentral": "frc",
    "francesouth": "frs", "germanynorth": "gn", "germanywestcentral": "gwc",
    "indonesiacentral": "idc", "israelcentral": "ilc", "italynorth": "itn",
    "japaneast": "jpe", "japanwest": "jpw", "jioindiacentral": "jic", "jioindiawest": "jiw",
    "koreacentral": "krc", "koreasouth": "krs", "malaysiawest": "myw", "mexicocentral": "mxc",
    "newzealandnorth": "nzn", "northcentralus": "ncus", "northeurope": "ne",
    "norwayeast": "nwe", "norwaywest": "nww", "polandcentral": "plc", "qatarcentral": "qac",
    "southafricanorth": "san", "southafricawest": "saw", "southcentralus": "scus",
    "southeastasia": "sea", "southindia": "ins", "spaincentral": "esc", "swedencentral": "sdc",
    "swedensouth": "sds", "switzerlandnorth": "szn", "switzerlandwest": "szw",
    "uaecentral": "uac", "uaenorth": "uan", "uksouth": "uks", "ukwest": "ukw",
    "westcentralus": "wcus", "westeurope": "we", "westindia": "inw", "westus": "wus",
    "westus2": "wus2", "westus3": "wus3",
}


def geo_replica_regions(region: str, regions: Sequence[str], paired_region: str | None = None) -> list[str]:
    """Regions that receive a geo-replica of `region`'s registry: every other region of the
    environment (`regions`); with a single region, `paired_region`, else `region`'s Azure pair,
    else none."""
    others = [name for name in regions if name != region]
    if others:
        return others
    pair = paired_region or REGION_PAIRS.get(region)
    return [pair] if pair else []
