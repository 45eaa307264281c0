"""Models: what a loaded model is (the time-aligned RVQ-VAE, the prior's network and their
stored records) and its safetensors model files."""
