"""Web forms on the shop's site (contact us, a refund request): taken in through a
mailbox, so that their answers go to the customer by email."""
