"""The helpdesk in plain Python: models, metrics, templates, the search syntax and
sanitising. No I/O, no Textual, no SQL."""
