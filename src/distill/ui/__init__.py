"""Distill's user interface; importing it starts nothing and imports no Gradio or torch."""
