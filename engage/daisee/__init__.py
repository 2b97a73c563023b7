"""DAiSEE research tools: labels, feature extraction and store, training, evaluation, metrics, and the audit
of the first report. Imports ``engage.affect`` and ``engage.model``."""
