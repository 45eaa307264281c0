"""The prior over codes: a small causal model of code columns that generates new grids, continues
a file and regenerates a region (model, training, sampling, memorisation)."""
