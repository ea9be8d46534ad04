"""Where effects come from and what they measured: the effect catalogue (bundled and user effects) and classifier results (bundled, sealed cache, or measured)."""
