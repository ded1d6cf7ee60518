"""The AKS secure baseline as cdktf constructs and stacks (see README.md for the layout).

Importing this package makes the prebuilt provider bindings load lazily (`_bindings`), so a
process pays only for the provider modules it uses.
"""

from constructs_lib import _bindings

__version__ = "0.2.0"
"""The project's version (also in package.json and the top entry of CHANGELOG.md)."""

_bindings.load_provider_modules_lazily()
