"""`manage.py load_demo_prices`: store the bundled synthetic demo candles (source "demo"); idempotent."""

from typing import Any

from django.core.management.base import BaseCommand

from strategies.prices.demo import demo_prices_load
from strategies.prices.reading import DEMO_LABEL


class Command(BaseCommand):
    help = f"Store the bundled demo candles as source 'demo' ({DEMO_LABEL}); loading again changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        """Load every demo market and say how many bars are in place."""
        stored = demo_prices_load()
        self.stdout.write(f"Demo candles in place: {stored} bars, source 'demo' ({DEMO_LABEL}).")
