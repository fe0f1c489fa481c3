"""`manage.py import_prices`: a good file is stored once however often it is imported; a bad one not at all."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from strategies.models import Candle

pytestmark = pytest.mark.django_db

GOOD_ROWS = ["2024-01-01,100,110,95,105,12", "2024-01-02,105,106,100,101,3"]


def _import(tmp_path: Path, lines: list[str], *args: str, name: str = "btc-daily.csv") -> None:
    """Write the lines to a file and import it as BTC/USDT 1d."""
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("import_prices", str(path), "--symbol", "BTC/USDT", "--timeframe", "1d", *args)


def test_a_file_is_stored_under_import_and_its_file_name(tmp_path: Path) -> None:
    _import(tmp_path, ["timestamp,open,high,low,close,volume", *GOOD_ROWS])
    stored = list(Candle.objects.values_list("source", "symbol", "timeframe", "close"))
    assert stored == [("import:btc-daily", "BTC/USDT", "1d", 105.0), ("import:btc-daily", "BTC/USDT", "1d", 101.0)]


def test_a_file_name_with_spaces_becomes_a_source_name_with_hyphens(tmp_path: Path) -> None:
    _import(tmp_path, GOOD_ROWS, name="BTC daily (2024).csv")
    assert set(Candle.objects.values_list("source", flat=True)) == {"import:BTC-daily-2024"}


def test_importing_the_same_range_again_updates_it_and_adds_nothing(tmp_path: Path) -> None:
    _import(tmp_path, GOOD_ROWS, "--source", "kaggle")
    _import(tmp_path, ["2024-01-02,105,107,100,102,4", "2024-01-03,102,103,99,100,5"], "--source", "kaggle")
    assert list(Candle.objects.order_by("time").values_list("close", flat=True)) == [105.0, 102.0, 100.0]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "The file holds no candles."),
        ([*GOOD_ROWS, "2024-01-03,1,2,1"], "line 3: expected 6 columns"),
        (["timestamp,open,high,low,close", *GOOD_ROWS], "line 1: the header has no 'volume' column."),
        ([*GOOD_ROWS, "2024-01-03,1,2,1,x,1"], "line 3: the close 'x' is not a number."),
        ([*GOOD_ROWS, "2024-01-03,5,4,6,5,1"], "line 3: the high (4) is below the low (6)."),
        ([*GOOD_ROWS, "2024-01-03,5,8,4,9,1"], "line 3: the close (9) is outside the bar's range [4, 8]."),
        ([*GOOD_ROWS, GOOD_ROWS[1]], "line 3: 2024-01-02T00:00:00Z repeats the previous row's time"),
        ([*GOOD_ROWS, GOOD_ROWS[0]], "line 3: 2024-01-01T00:00:00Z comes before the previous row's time"),
        ([*GOOD_ROWS, "2024-01-03T06:00Z,1,1,1,1,1"], "line 3: 2024-01-03T06:00:00Z is not the open time of a 1d bar"),
        ([*GOOD_ROWS, "soon,1,1,1,1,1"], "line 3: the timestamp 'soon' is neither ISO 8601 nor Unix"),
    ],
)
def test_a_malformed_file_is_refused_whole_with_its_line_and_reason(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as refused:
        _import(tmp_path, lines)
    assert "nothing imported: " + message in str(refused.value)
    assert not Candle.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--symbol", "btcusdt", "--timeframe", "1d"], "The symbol 'btcusdt' is not a spot pair like BTC/USDT"),
        (["--symbol", "BTC/USDT", "--timeframe", "15m"], "The timeframe '15m' is not one of 1h, 4h, 1d."),
        (["--symbol", "BTC/USDT", "--timeframe", "1d", "--source", "my data"], "The source name 'my data' must be"),
        (
            ["--symbol", "BTC/USDT", "--timeframe", "1d", "--source", "demo"],
            "'demo' names the bundled synthetic demo set",
        ),
    ],
)
def test_a_bad_market_or_source_name_is_refused_before_reading(tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("\n".join(GOOD_ROWS), encoding="utf-8")
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
        call_command("import_prices", str(path), *args)
    assert not Candle.objects.exists()


def test_a_missing_file_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read .*missing.csv"):
        call_command("import_prices", str(tmp_path / "missing.csv"), "--symbol", "BTC/USDT", "--timeframe", "1d")
