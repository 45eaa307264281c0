"""The prior over codes: fitting, sampling and memorisation for the small causal model of code
columns (its network and stored records live in distill.models) that generates new grids,
continues a file and regenerates a region."""
