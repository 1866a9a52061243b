"""``pose export``: self-contained model folders, and loading them back (ADR-0051)."""

from __future__ import annotations

from pose_adapters.export.folder import (
    METADATA_FILE,
    is_export_dir,
    load_exported,
    read_metadata,
)

__all__ = ["METADATA_FILE", "is_export_dir", "load_exported", "read_metadata"]
