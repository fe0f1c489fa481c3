"""The candle CSV parser: the layouts it reads and the line-numbered reasons it refuses a file for."""

from datetime import UTC, datetime

import pytest

from strategies.prices.csv_format import MAX_LINE_CHARS, Bar, CandleFileError, parse_candles_csv

JAN_1 = datetime(2024, 1, 1, tzinfo=UTC)
JAN_2 = datetime(2024, 1, 2, tzinfo=UTC)


def test_iso_unix_seconds_and_milliseconds_all_read_as_utc_open_times() -> None:
    bars = parse_candles_csv(
        [
            "timestamp,open,high,low,close,volume",
            "2024-01-01T00:00:00Z,100,110,95,105,12.5",
            "1704153600,105,106,100,101,3",  # 2024-01-02, seconds
            "1704240000000,101,101,90,92,0",  # 2024-01-03, milliseconds
            "2024-01-04 02:00:00+02:00,92,93,91,93,1",  # 2024-01-04T00:00Z, with an offset
        ],
        timeframe="1d",
    )
    assert [bar.time.day for bar in bars] == [1, 2, 3, 4]
    assert all(bar.time.tzinfo == UTC and bar.time.hour == 0 for bar in bars)
    assert bars[0] == Bar(JAN_1, 100.0, 110.0, 95.0, 105.0, 12.5)


def test_a_headerless_file_reads_the_first_six_columns_in_order() -> None:
    # Binance's own kline export: no header, open time in ms, then o/h/l/c/v and six more columns.
    line = "1704067200000,42283.58,44184.10,42180.77,44179.55,27174.29,1704153599999,1.18e9,1000,1,1,0"
    assert parse_candles_csv([line], timeframe="1d") == [Bar(JAN_1, 42283.58, 44184.10, 42180.77, 44179.55, 27174.29)]


def test_a_header_may_name_the_columns_in_any_order_beside_others() -> None:
    bars = parse_candles_csv(
        ["Date,Symbol,Close,Open,High,Low,Volume", "2024-01-01,BTC,105,100,110,95,1", "", "2024-01-02,BTC,1,2,2,1,1"],
        timeframe="1d",
    )
    assert bars == [Bar(JAN_1, 100.0, 110.0, 95.0, 105.0, 1.0), Bar(JAN_2, 2.0, 2.0, 1.0, 1.0, 1.0)]


def test_hourly_bars_are_read_on_the_hour() -> None:
    bars = parse_candles_csv(["2024-01-01T00:00Z,1,1,1,1,1", "2024-01-01T01:00Z,1,1,1,1,1"], timeframe="1h")
    assert len(bars) == 2


@pytest.mark.parametrize(
    ("lines", "timeframe", "message"),
    [
        ([], "1d", "The file holds no candles."),
        (["timestamp,open,high,low,close,volume", "  "], "1d", "The file holds no candles."),
        (["2024-01-01,1,2,1"], "1d", "line 1: expected 6 columns (timestamp,open,high,low,close,volume), found 4."),
        (["time,open,high,low,close", "2024-01-01,1,1,1,1"], "1d", "line 1: the header has no 'volume' column."),
        (["2024-01-01,1,1,1,1,1", "2024-01-02,1,abc,1,1,1"], "1d", "line 2: the high 'abc' is not a number."),
        (["2024-01-01,1,1,1,nan,1"], "1d", "line 1: the close 'nan' is not a finite number."),
        (["2024-01-01,5,4,6,5,1"], "1d", "line 1: the high (4) is below the low (6)."),
        (["2024-01-01,9,8,4,5,1"], "1d", "line 1: the open (9) is outside the bar's range [4, 8]."),
        (["2024-01-01,5,8,4,9,1"], "1d", "line 1: the close (9) is outside the bar's range [4, 8]."),
        (["2024-01-01,0,0,0,0,1"], "1d", "line 1: prices must be above zero."),
        (["2024-01-01,1,1,1,1,-3"], "1d", "line 1: the volume is negative."),
        (["yesterday,1,1,1,1,1"], "1d", "line 1: the timestamp 'yesterday' is neither ISO 8601 nor Unix"),
        (["when,open,high,low,close,volume"], "1d", "line 1: the header has no 'timestamp' column."),
        (["2024-13-01,1,1,1,1,1"], "1d", "line 1: the timestamp '2024-13-01' is neither ISO 8601 nor Unix"),
        (
            ["2024-01-01,1,1,1,1,1", "2024-01-01,1,1,1,1,1"],
            "1d",
            "line 2: 2024-01-01T00:00:00Z repeats the previous row's time 2024-01-01T00:00:00Z",
        ),
        (
            ["2024-01-02,1,1,1,1,1", "2024-01-01,1,1,1,1,1"],
            "1d",
            "line 2: 2024-01-01T00:00:00Z comes before the previous row's time 2024-01-02T00:00:00Z",
        ),
        (["2024-01-01T12:00Z,1,1,1,1,1"], "1d", "line 1: 2024-01-01T12:00:00Z is not the open time of a 1d bar (UTC)."),
        (["2024-01-01T02:00Z,1,1,1,1,1"], "4h", "line 1: 2024-01-01T02:00:00Z is not the open time of a 4h bar (UTC)."),
        (["2024-01-01," + "1" * MAX_LINE_CHARS], "1d", f"line 1: the line is longer than {MAX_LINE_CHARS} characters."),
        (["2024-01-01,1,1,1,1,1"], "5m", "Unknown timeframe '5m': use one of 1h, 4h, 1d."),
    ],
)
def test_a_malformed_file_is_refused_with_its_line_and_reason(lines: list[str], timeframe: str, message: str) -> None:
    with pytest.raises(CandleFileError) as refused:
        parse_candles_csv(lines, timeframe=timeframe)
    assert str(refused.value).startswith(message)


def test_parsing_is_linear_in_the_file_size() -> None:
    day = 86400
    lines = [f"{1704067200 + i * day},1,2,0.5,1.5,10" for i in range(100_000)]
    assert len(parse_candles_csv(lines, timeframe="1d")) == 100_000
