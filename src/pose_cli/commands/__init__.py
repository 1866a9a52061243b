"""Thin command functions: parse flags, build requests, call the composition root."""
