"""Helpers the test suite and the benchmark share, none of them tests or fixtures."""
