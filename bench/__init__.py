"""Benchmarks, run by hand (`python -m bench.store_bench`); not part of the test pass."""
