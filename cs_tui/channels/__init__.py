"""Where tickets come from and where replies go: one package per kind of channel.
Each uses a Store and the domain, and nothing else of cs-tui's."""
