"""The served worker's garbage-collector tuning."""

from __future__ import annotations

import gc

from vibewater.serve import GC_THRESHOLDS, tune_gc


def test_tune_gc_exempts_what_is_loaded_and_collects_less_often() -> None:
    thresholds = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_freeze_count() > 10_000  # Django and the app, loaded by the test run
        assert gc.get_threshold() == GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
