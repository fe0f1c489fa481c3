"""Load benchmark for the chat socket: `bench.loadgen` drives a running server, `bench.run_matrix` runs the
standard matrix (servers, fake model and all). Not part of the test suite's timing; see docs/benchmarks.md."""
