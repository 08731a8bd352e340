"""The `cs-tui` command: parses arguments, opens the store, runs a subcommand."""
