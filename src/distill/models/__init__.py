"""Models: the time-aligned RVQ-VAE and its safetensors model files."""
