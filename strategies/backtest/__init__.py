"""The backtest engine: runs a strategy's executable conditions over candles (pure functions, no I/O).

`plan.backtest_plan(strategy)` reads what can run (`phrases` translates plain entry rules),
`engine.run_backtest(plan, candles, fee_pct=...)` runs it over `candles.Candles` (numpy arrays) with
`signals` over `indicators`, and returns the shapes of `results` (`metrics`, `curves`).
"""
