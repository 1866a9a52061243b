"""Fakes at the ports (ADR-0005): honest, small implementations used instead of mocks."""
