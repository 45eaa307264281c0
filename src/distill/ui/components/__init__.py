"""UI components: plain functions that turn data into HTML (no Gradio or torch imports)."""
