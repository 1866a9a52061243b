"""Console entry point: ``pose``."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from pose_cli.errors import EXIT_OK, report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (never raises, never prints a traceback unless
    ``--debug`` is given)."""
    tokens = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in tokens
    tokens = [t for t in tokens if t != "--debug"]
    from pose_cli.app import app
    from pose_cli.compat import refuse_unsupported, rewrite_tokens

    try:
        refuse_unsupported(tokens)
        tokens = rewrite_tokens(tokens)
        result = app(
            tokens,
            exit_on_error=False,
            print_error=False,
            help_on_error=False,
            result_action="return_value",
        )
    except SystemExit as exc:  # --help / --version exit through cyclopts
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except BaseException as exc:
        return report(exc, debug=debug)
    return int(result) if isinstance(result, int) else EXIT_OK


def run() -> None:  # pragma: no cover - used by ``python -m pose_cli``
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
