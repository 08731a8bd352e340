"""`python -m cs_tui` is `cs-tui`."""

from cs_tui.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
