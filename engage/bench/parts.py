"""The benchmark's parts, for ``bench --part`` (no heavy imports: the CLI's parser reads them)."""

# the end-to-end section's parts (``bench --part``): whole files against the model alone, the vision attention
# implementations, the vision MLPs widened (the model stays widened after it), a profile of one forward, compiled
# blocks, and on CUDA the resize device and float16 features
E2E_PARTS = ("e2e", "attention", "padding", "profile", "compiled", "precision")
PARTS = ("window", "webcam") + E2E_PARTS  # window: engage's and the reference's rows
