"""SafeLens: age_estimation."""
