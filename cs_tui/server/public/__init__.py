"""What the public reaches without an agent's token, under /public/v1/: the website
chat, web forms and Meta's webhooks. Each checks what its kind allows (a visitor's
signed token and the chat's sites, a webhook's signature) and limits how fast anyone
may write, answering in words."""
