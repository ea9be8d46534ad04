"""The running chain: the pipeline (source -> tracker -> stages) and the one builder of the gated chain that every caller uses."""
