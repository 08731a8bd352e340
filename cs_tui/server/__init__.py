"""The team server: the Store over HTTP (`cs-tui serve`)."""
