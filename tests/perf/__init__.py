"""Benchmarks (`make bench`): not collected by pytest, not part of `make test`."""
