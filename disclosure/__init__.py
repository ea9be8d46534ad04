"""SafeLens: disclosure."""
