"""The app layer: builds every stack of every environment and writes the output folder."""

from constructs_lib.app.build import BaselineApp, build_app, synth_replacing

__all__ = ["BaselineApp", "build_app", "synth_replacing"]
