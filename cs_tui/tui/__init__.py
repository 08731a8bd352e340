"""The agent's terminal UI (Textual). It reaches storage only through the Store protocol."""
