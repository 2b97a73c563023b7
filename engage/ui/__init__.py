"""What the app shows and does: the event handlers (``handlers``, ``class_handlers``), the engine and the ZeroGPU calls
(``server``, loaded only when imported), text, figures, exports and the GPU budgets, built from the parts below. May
import every part; only ``app.py`` and ``engage.cli`` import it."""
