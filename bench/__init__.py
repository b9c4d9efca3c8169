"""Benchmarks of reviewbot (not shipped in the wheel). See bench/README.md."""
