"""The root cyclopts App. Commands are registered lazily by import path (ADR-0007), so
``pose --help`` imports neither torch nor any runtime."""

from __future__ import annotations

from cyclopts import App

from pose import __version__

app = App(
    name="pose",
    help="Run trained animal-pose models (SLEAP / sleap-nn) on video: predict keypoints, "
    "track identities, evaluate, export.",
    version=__version__,
    version_flags=["--version"],
)

app.command(
    "pose_cli.commands.track:track",
    name="track",
    help="Predict poses with trained models and/or track identities (sleap-nn flags).",
)
app.command(
    "pose_cli.commands.evaluate:evaluate",
    name="eval",
    help="Evaluate predictions against ground truth (OKS mAP/mAR, PCK, identity metrics).",
)
app.command(
    "pose_cli.commands.export:export",
    name="export",
    help="Export models to a self-contained ONNX / TensorRT folder.",
)
app.command(
    "pose_cli.commands.predict:predict",
    name="predict",
    help="Predict (sleap-nn predict -i INPUT -m MODEL), or run an export folder: EXPORT_DIR INPUT.",
)
app.command(
    "pose_cli.commands.system:system",
    name="system",
    help="Versions, runtimes, devices, CPU features (bf16) and GPU names.",
)
app.command(
    "pose_cli.commands.sleap_track:sleap_track",
    name="sleap-track",
    help="SLEAP 1.x sleap-track command lines, mapped onto pose track.",
)
app.command(
    "pose_cli.commands.qc:qc",
    name="qc",
    help="Find probable identity swaps and breaks in a tracked .slp; write a report.",
)
app.command(
    "pose_cli.commands.render:render",
    name="render",
    help="Render the poses of a .slp over its video (overlay .mp4).",
)
