"""Meta's channels (WhatsApp Cloud API, Messenger, Instagram): their settings, their
webhooks read into neutral messages and statuses, and the Graph API client replies go
out through."""
