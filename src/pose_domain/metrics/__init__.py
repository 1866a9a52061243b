"""Evaluation metrics: the reference's pose metrics (OKS, VOC, PCK, distances, visibility) and
identity metrics for tracked predictions. numpy only; scipy is reached through
:mod:`pose_domain.matching`."""

from __future__ import annotations
