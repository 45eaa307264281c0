"""Bundled demo material: synthesised example sounds (and the demo model built from them)."""
