"""The identity QC report (HTML + JSON) and overlay videos, drawn by sleap-io's renderer."""

from pose_adapters.report.html import HtmlReportWriter
from pose_adapters.report.render import SleapIoOverlayRenderer, SleapIoThumbnails, track_colors

__all__ = ["HtmlReportWriter", "SleapIoOverlayRenderer", "SleapIoThumbnails", "track_colors"]
