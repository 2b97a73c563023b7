"""What the states mean for one learner: the MLP heads and their card, zero-shot levels, basic emotions,
results, the engine the app serves, and the webcam stream. Imports ``engage.model`` (and the shared modules)."""
