"""Frame sources backed by sleap-io's video backends (frames decoded as sleap-io decodes them)."""

from pose_adapters.video.sleapio_source import SleapIoFrameSource, open_video_file

__all__ = ["SleapIoFrameSource", "open_video_file"]
