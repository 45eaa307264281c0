"""The Train tab: train a model on uploaded files or a folder, with live progress."""
