"""The ``pose`` command line: parses, calls :mod:`pose` or a use case, prints, and maps errors
to exit codes (ADR-0140)."""

from pose import __version__

__all__ = ["__version__"]
