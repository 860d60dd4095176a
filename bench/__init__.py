"""Benchmarks: a generator of realistic data tiers and the measurements of ``make bench``."""
