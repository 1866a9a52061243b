"""``pose: warning: …`` lines on stderr for the library's ``pose`` logger."""

from __future__ import annotations

import logging
import sys


class _StderrHandler(logging.Handler):
    """Writes ``pose: warning: …`` lines to the *current* ``sys.stderr``."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(f"pose: {record.levelname.lower()}: {record.getMessage()}\n")
        except Exception:  # pragma: no cover - never let logging break a run
            pass


def setup_logging() -> None:
    """Route warnings of the ``pose`` logger to stderr, once."""
    logger = logging.getLogger("pose")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler(level=logging.WARNING))
    logger.setLevel(logging.WARNING)
    logger.propagate = False
