"""Candles for backtests: where a run reads them from, and how they get into the database.

`reading` picks a run's source and reads its bars; `csv_format` parses an exported CSV file (pure);
`store` upserts bars; `exchange` downloads them with ccxt; `demo` holds the bundled synthetic set
("synthetic demo data — not market history") and its seeded generator.
"""
