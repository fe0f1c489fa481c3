"""The backtest engine: runs a strategy's executable conditions over candles (pure functions, no I/O)."""
