"""What the app shows: text, figures, exports and ZeroGPU durations, built from the parts below (no Gradio
here). May import every part; only ``app.py`` and ``engage.cli`` import it."""
