"""Tests of trader accounts: sign-up rules, the command-line account tool, and sockets that follow their sessions."""
