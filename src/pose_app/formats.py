"""Input file kinds by extension, declared once: the video reader picks its backend with them
and ``-i FOLDER`` expands to the files they name."""

from __future__ import annotations

#: Container formats read through the media (ffmpeg) backend.
MEDIA_EXTENSIONS = frozenset({".mp4", ".avi", ".mov", ".mkv", ".mpg", ".mpeg", ".webm", ".m4v",
                              ".wmv"})
#: Videos stored as HDF5 datasets.
HDF5_VIDEO_EXTENSIONS = frozenset({".h5", ".hdf5"})
#: SLEAP labels (predicted on, or re-tracked).
LABELS_EXTENSIONS = frozenset({".slp"})
#: What a folder given to ``-i`` expands to.
INPUT_EXTENSIONS = MEDIA_EXTENSIONS | HDF5_VIDEO_EXTENSIONS | LABELS_EXTENSIONS
