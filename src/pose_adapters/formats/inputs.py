"""pose's own input kinds: how each ``-i`` value is recognised and checked before any model
loads (one line per fault). Opening stays with the video opener and the labels store."""

from __future__ import annotations

import os

import attrs

from pose_app.formats import (
    HDF5_VIDEO_EXTENSIONS,
    IMAGE_EXTENSIONS,
    LABELS_EXTENSIONS,
    MEDIA_EXTENSIONS,
)
from pose_domain.errors import InputNotFoundError, UnsupportedInputError

MEDIA_EXTS = tuple(sorted(MEDIA_EXTENSIONS))
HDF5_EXTS = tuple(sorted(HDF5_VIDEO_EXTENSIONS))
IMAGE_EXTS = tuple(sorted(IMAGE_EXTENSIONS))


def _exists(path: str) -> None:
    if not os.path.exists(path):
        raise InputNotFoundError(f"input not found: {path}", hint="check the -i path")


@attrs.frozen
class LiveKind:
    name: str = "camera/stream"
    description: str = "camera index (0, 1...) or stream URL (rtsp://, http://...)"

    def recognises(self, path: str) -> bool:
        from pose_adapters.video.live import is_live_source

        return is_live_source(path) and not os.path.exists(path)

    def check(self, path: str, dataset: str | None, input_format: str) -> None:
        return None  # opened (and refused with one line) by the live path


@attrs.frozen
class ListFileKind:
    """A ``.txt`` listing inputs, one path per line (``#`` comments; relative to the file)."""

    name: str = "list file"
    description: str = ".txt with one input path per line"

    def recognises(self, path: str) -> bool:
        return path.lower().endswith(".txt") and os.path.isfile(path)

    def paths(self, path: str) -> list[str]:
        """The inputs the list names; one line when a line names no file."""
        from pose_app.runs.inputs import read_list_file

        return read_list_file(path)

    def check(self, path: str, dataset: str | None, input_format: str) -> None:
        self.paths(path)


@attrs.frozen
class LabelsKind:
    name: str = "labels"
    description: str = "SLEAP labels (.slp, .pkg.slp): predict on their frames, or retrack"

    def recognises(self, path: str) -> bool:
        return path.lower().endswith(tuple(LABELS_EXTENSIONS))

    def check(self, path: str, dataset: str | None, input_format: str) -> None:
        import h5py

        _exists(path)
        if not h5py.is_hdf5(path):
            raise UnsupportedInputError(f"{path} is not a SLEAP labels file (not HDF5)",
                                        hint="is it a valid .slp file?")


def hdf5_layout_error(shape: tuple[int, ...], input_format: str) -> str | None:
    """Why a rank-4 image dataset of ``shape`` is not in ``input_format`` (None: it is)."""
    if len(shape) != 4:
        return (f"has shape {shape}; an HDF5 video is a rank-4 dataset "
                "(frames, height, width, channels)")
    channels = shape[1] if input_format == "channels_first" else shape[3]
    if channels in (1, 3):
        return None
    other = "channels_first" if input_format == "channels_last" else "channels_last"
    fits = (shape[3] if other == "channels_last" else shape[1]) in (1, 3)
    layout = ("(frames, channels, height, width)" if input_format == "channels_first"
              else "(frames, height, width, channels)")
    return (f"has shape {shape}, not {input_format} {layout} with 1 or 3 channels"
            + (f"; add --video_input_format {other}" if fits else ""))


@attrs.frozen
class Hdf5VideoKind:
    name: str = "HDF5 video"
    description: str = "rank-4 image dataset in .h5/.hdf5 (--video_dataset, --video_input_format)"

    def recognises(self, path: str) -> bool:
        return path.lower().endswith(HDF5_EXTS)

    def check(self, path: str, dataset: str | None, input_format: str) -> None:
        import h5py

        _exists(path)
        try:
            fh = h5py.File(path, "r")
        except OSError as exc:
            raise UnsupportedInputError(f"cannot read {path} as HDF5: {exc}",
                                        hint="is it an HDF5 video?") from exc
        with fh:
            if dataset:
                obj = fh.get(dataset)
                if not isinstance(obj, h5py.Dataset):
                    raise UnsupportedInputError(f"{path} has no dataset '{dataset}'",
                                                hint="check --video_dataset")
            else:
                found: list[h5py.Dataset] = []
                fh.visititems(lambda _n, o: found.append(o) if isinstance(o, h5py.Dataset)
                              and o.ndim == 4 else None)
                if not found:
                    raise UnsupportedInputError(
                        f"{path} holds no rank-4 image dataset",
                        hint="name the frames' dataset with --video_dataset")
                obj = found[0]
            if obj.ndim == 1:  # a list of encoded images
                return
            why = hdf5_layout_error(tuple(obj.shape), input_format)
            if why:
                raise UnsupportedInputError(f"HDF5 video {path}:{obj.name} {why}",
                                            hint="check --video_dataset / --video_input_format")


@attrs.frozen
class ImageFolderKind:
    name: str = "image folder"
    description: str = "folder of images (" + ", ".join(IMAGE_EXTS) + "), one frame each"

    def recognises(self, path: str) -> bool:
        return os.path.isdir(path)

    def check(self, path: str, dataset: str | None, input_format: str) -> None:
        if not any(os.path.splitext(f)[1].lower() in IMAGE_EXTS for f in os.listdir(path)):
            raise UnsupportedInputError(f"folder {path} has no images",
                                        hint=f"expected {', '.join(IMAGE_EXTS)}")


@attrs.frozen
class VideoFileKind:
    name: str = "video file"
    description: str = "video file (" + ", ".join(MEDIA_EXTS) + ")"

    def recognises(self, path: str) -> bool:
        return path.lower().endswith(MEDIA_EXTS)

    def check(self, path: str, dataset: str | None, input_format: str) -> None:
        _exists(path)
        if os.path.isdir(path) or os.path.getsize(path) == 0:
            raise UnsupportedInputError(f"{path} is not a video file (empty or a folder)",
                                        hint="check the -i path")


BUILTIN_INPUT_KINDS = (LiveKind(), ListFileKind(), LabelsKind(), Hdf5VideoKind(),
                       ImageFolderKind(), VideoFileKind())
