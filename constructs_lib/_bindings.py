"""Lazy loading of the prebuilt cdktf provider bindings.

The prebuilt `cdktf_cdktf_provider_azurerm` package's `__init__.py` imports all of its 1,540
resource modules, so `from cdktf_cdktf_provider_azurerm.virtual_network import VirtualNetwork`
costs ~4 s of CPU and ~0.4 GB before anything runs (hashicorp/terraform-cdk#3753, #2835; the
package is archived, so no fix will come). Every resource module is self-contained: it imports
only the package's `_jsii` module (which loads the jsii assembly) and cdktf/constructs.

`load_provider_modules_lazily` registers each binding package in `sys.modules` as a plain
package object with the real `__path__`, so Python never runs the eager `__init__.py`: importing
`<package>.<resource>` loads just `_jsii` and that resource's module, exactly the same classes.
The synthesized JSON is unchanged (tests compare whole outputs). Set
`CDKTF_EAGER_PROVIDER_IMPORT=1` to import the bindings the normal way.

Pure Python and cheap: this module imports nothing from cdktf.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types

LAZY_PACKAGES = ("cdktf_cdktf_provider_azurerm", "cdktf_cdktf_provider_helm", "cdktf_cdktf_provider_time")
"""Prebuilt binding packages whose `__init__.py` eagerly imports every resource module."""


def load_provider_modules_lazily(packages: tuple[str, ...] = LAZY_PACKAGES) -> list[str]:
    """Register `packages` for lazy submodule loading; returns the names registered.

    A package that is already imported, not installed, or disabled by
    `CDKTF_EAGER_PROVIDER_IMPORT=1` is left alone.
    """
    if os.environ.get("CDKTF_EAGER_PROVIDER_IMPORT") == "1":
        return []
    registered = []
    for name in packages:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.submodule_search_locations is None:
            continue
        package = types.ModuleType(name, f"{name} (submodules load on demand; see constructs_lib._bindings)")
        package.__path__ = list(spec.submodule_search_locations)
        package.__file__ = spec.origin
        package.__package__ = name
        package.__spec__ = spec
        sys.modules[name] = package
        registered.append(name)
    return registered
