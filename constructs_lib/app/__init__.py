"""The app layer: builds every stack of every environment and writes the output folder.

`build_app`, `synth_replacing` and `BaselineApp` import cdktf and the provider bindings, so they
load on first use; `deploy_order` and the other pure modules of this package stay cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from constructs_lib.app.build import BaselineApp, build_app, synth_replacing

__all__ = ["BaselineApp", "build_app", "synth_replacing"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from constructs_lib.app import build

        return getattr(build, name)
    raise AttributeError(name)
