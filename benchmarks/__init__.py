"""SafeLens: benchmarks."""
