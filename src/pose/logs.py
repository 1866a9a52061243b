"""``pose: warning: …`` lines on stderr for the library's ``pose`` logger, and the info
records marked ``extra={"notice": True}`` (one-line results a user should see, such as a fast
mode's agreement with exact fp32) as ``pose: …``."""

from __future__ import annotations

import logging
import sys


class _StderrHandler(logging.Handler):
    """Writes ``pose: warning: …`` lines to the *current* ``sys.stderr``."""

    def emit(self, record: logging.LogRecord) -> None:
        notice = getattr(record, "notice", False) and record.levelno < logging.WARNING
        if record.levelno < logging.WARNING and not notice:
            return
        try:
            level = "" if notice else f"{record.levelname.lower()}: "
            sys.stderr.write(f"pose: {level}{record.getMessage()}\n")
        except Exception:  # pragma: no cover - never let logging break a run
            pass


def setup_logging() -> None:
    """Route warnings of the ``pose`` logger to stderr, once."""
    logger = logging.getLogger("pose")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler(level=logging.INFO))
    logger.setLevel(logging.INFO)
    logger.propagate = False
