"""Distill: train a small RVQ autoencoder on your own audio, then see and hear its codes."""

__version__ = "0.1.0"
