"""Trained model folders (sleap-nn or SLEAP ≤1.4) read into a :class:`ModelSpec` and the
settings a network builder needs, without torch (ADR-0105).

A model path may be the folder itself, any ``*.ckpt`` inside it (always resolved to
``best.ckpt``), ``best_model.h5``, or ``training_config.{yaml,yml,json}``.

Modules: :mod:`.loading` (find, parse, guard), one reader per format (:mod:`.sleap_nn`,
:mod:`.legacy`, with :mod:`.legacy_skeleton`), :mod:`.assembly` (the step every reader ends
in) and :mod:`.defaults` (vocabulary shared with the torch builders).
"""

from __future__ import annotations

from pose_adapters.model_config.assembly import ModelConfig
from pose_adapters.model_config.loading import (
    load_model_config,
    load_model_spec,
    resolve_model_dir,
)

__all__ = ["ModelConfig", "load_model_config", "load_model_spec", "resolve_model_dir"]
