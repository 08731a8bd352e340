"""The website chat widget in a real browser, against a real `cs-tui serve`."""
