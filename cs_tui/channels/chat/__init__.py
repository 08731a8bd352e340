"""The website chat: the widget a shop puts on its pages and what serves it."""
