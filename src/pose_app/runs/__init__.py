"""``pose track`` over many inputs, written once for the CLI and the library (ADR-0141).

* :mod:`pose_app.runs.job`: what every input of one call shares, its requests and outputs;
* :mod:`pose_app.runs.local`: inputs one after another in this process (models loaded once);
* :mod:`pose_app.runs.plan`: chunk planning of batch runs;
* :mod:`pose_app.runs.batch`: the batch driver and the worker that runs one job (with its
  per-process model cache).
"""

from pose_app.runs.job import TrackJob, output_for, track_only_frames

__all__ = ["TrackJob", "output_for", "track_only_frames"]
