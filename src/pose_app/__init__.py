"""Use cases and the ports they need. Imports only ``pose_domain``, numpy and attrs."""
