"""Ports: the Protocols the use cases need, implemented by ``pose_adapters`` and test fakes."""
