"""The ``pose`` command line: the composition root and the one place errors become exit codes."""

__version__ = "0.1.0"
