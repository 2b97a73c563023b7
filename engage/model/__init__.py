"""The model core: load Qwen2.5-VL, the feature protocol, clip -> feature, the shared video prefix, the
incremental webcam windows, batching, and the tiny test checkpoint. Imports only ``engage.media``,
``engage.settings`` and ``engage.errors``."""
