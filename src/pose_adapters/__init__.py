"""Adapters: runtimes (torch, ONNX Runtime, OpenVINO, TensorRT, Keras), video IO, SLP
persistence and config parsing. Heavy libraries are imported inside their adapter (ADR-0007)."""
