"""Tests of trader accounts: sign-up rules and the command-line account tool."""
