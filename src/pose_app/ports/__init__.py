"""Ports: the Protocols the use cases need, implemented by ``pose_adapters`` and test fakes.

Every port of a use case lives here (ADR-0005, ADR-0120); ``tests/fakes`` holds a fake for each,
and ``tests/contract`` runs the same assertions on the fake and on the real adapter. In-process
implementations that are part of the application sit next to their port: ``NoChunks``,
``NullProgress``, ``LocalExecutor``, ``NeverStop``, ``IterableStream``. Optional capabilities
are members of their port (``ProgressReporter.at_frame`` / ``saved``, ``StopToken.polled``),
never probed with ``getattr``.

================================  =======================================  =========================
port (module)                     adapter                                  fake (tests.fakes)
================================  =======================================  =========================
``LabelsStore`` (labels)          ``pose_adapters.slp.SlpLabelsStore``     ``InMemoryLabelsStore``
``FrameSource``, ``VideoOpener``  ``pose_adapters.video.open_video_file``  ``FakeFrameSource``,
(video)                                                                    ``FakeVideoOpener``
``NetworkRuntime`` (runtime)      torch, ONNX Runtime, OpenVINO,           ``FakeRuntime``
                                  TensorRT and Keras runtimes
``ImageResizer`` (runtime)        ``pose_adapters.torch.resize``           ``NearestResizer``
``ModelLoader`` (models)          ``pose_adapters.models``                 ``FakeLoader``
``ChunkStore`` (chunks)           ``pose_adapters.chunks``                 ``InMemoryChunkStore``
``OpticalFlow`` (flow)            ``pose_adapters.flow``                   ``StillFlow``
``ProgressReporter`` (progress)   ``pose_adapters.progress``               ``RecordingProgress``
``ManifestStore`` (manifest)      ``pose_adapters.manifest``               ``InMemoryManifestStore``
``Executor`` (executor)           ``pose_adapters.ray_executor``           ``ShuffledExecutor``
``InputInspector`` (inspect)      ``pose_adapters.inspect``                ``FakeInspector``
``FrameStream`` (stream)          ``pose_adapters.video.live``, a caller's ``FakeCamera``
                                  camera SDK, ``IterableStream``
``FrameSink`` (stream)            a caller's callback or publisher         ``CollectingSink``
``StopToken`` (stop)              ``pose_cli.signals.SignalStop``          ``StopAfter``
``OutputLocks`` (locks)           ``pose_adapters.locks``                  ``MemoryLocks``
``DatasetWriter`` (output)        ``pose_adapters.slp`` writers            ``MemoryWriter``
================================  =======================================  =========================
"""
