"""The Store contract suite. A package, so that its module names (test_metrics,
test_tickets, ...) cannot clash with same-named tests elsewhere under tests/."""
