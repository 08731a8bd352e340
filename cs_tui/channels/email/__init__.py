"""Email: reading mail as agents need it (reading.py, quotes.py)."""
