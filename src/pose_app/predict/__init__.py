"""The prediction use case and its parts.

* :mod:`~pose_app.predict.request` — :class:`PredictRequest` / :class:`PredictResult`;
* :mod:`~pose_app.predict.use_case` — :class:`PredictUseCase`, the per-output lifecycle;
* :mod:`~pose_app.predict.selection` — frame selection, a pure function;
* :mod:`~pose_app.predict.inputs` — videos and labels files as streams of frame jobs;
* :mod:`~pose_app.predict.records` — resume records and the chunked writer;
* :mod:`~pose_app.predict.collect` — the per-frame step (restore/persist, track, collect);
* :mod:`~pose_app.predict.provenance` — what the output records about the run.
"""

from pose_app.predict.request import PredictRequest, PredictResult, is_labels_path
from pose_app.predict.use_case import PredictUseCase

__all__ = ["PredictRequest", "PredictResult", "PredictUseCase", "is_labels_path"]
