"""Alias of the public Python API (kept for scripts written against ``pose_cli.api``); the
library is :mod:`pose`."""

from pose import Predictor, result_arrays, run_inference

__all__ = ["Predictor", "result_arrays", "run_inference"]
