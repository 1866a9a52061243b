"""Contract tests (ADR-0120): each port's assertions, run on its fake and its real adapter."""
