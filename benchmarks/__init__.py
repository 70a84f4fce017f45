"""Benchmarks: a deterministic scale generator and measured speed, memory and latency.

Run ``python -m benchmarks.run --help``; results and method are in ``docs/benchmarks.md``.
"""
