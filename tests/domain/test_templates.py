"""Canned-response placeholders: checked when saved, filled in when used, never evaluated."""

from __future__ import annotations

import pytest

from cs_tui.domain.models import Customer, Status
from cs_tui.domain.templates import (
    PLACEHOLDERS,
    Placeholder,
    Rendered,
    TemplateError,
    check,
    context_for,
    render,
)

from .factories import ANA, BUDI, ticket


def values(
    customer: Customer = BUDI, *, status: Status = Status.OPEN, subject: str = "Pesanan belum sampai"
) -> dict[str, str | None]:
    """The placeholder values for ticket #1042 from Budi, answered by Ana."""
    return context_for(ticket(customer=customer, status=status, subject=subject), ANA)


def test_every_known_placeholder_passes_check() -> None:
    check(" ".join(f"{{{{{name}}}}}" for name in PLACEHOLDERS))
    check("Halo, {{ customer.first_name }}!\nSalam, {{agent.name}}")
    check("No placeholders at all, {single braces} included.")


def test_unknown_placeholders_are_each_named_with_the_known_ones() -> None:
    with pytest.raises(TemplateError) as caught:
        check("Halo {{customer.nama}}, pesanan {{order.id}} sudah dikirim. {{customer.name}}")
    problems = caught.value.problems
    assert len(problems) == 2
    assert "{{customer.nama}}" in problems[0]
    assert "at character 6" in problems[0]
    assert "{{order.id}}" in problems[1]
    for problem in problems:
        assert all(name in problem for name in PLACEHOLDERS)
    assert "{{customer.nama}}" in str(caught.value)
    assert "{{order.id}}" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "stray"),
    [
        ("Halo {{customer.name", "{{"),
        ("Halo customer.name}}", "}}"),
        ("Halo {{customer.name}} }}", "}}"),
        ("{{ {{customer.name}}", "{{"),
        ("Halo {{customer.name}\n}", "{{"),
    ],
)
def test_unbalanced_braces_are_rejected(body: str, stray: str) -> None:
    with pytest.raises(TemplateError) as caught:
        check(body)
    assert any(f"unmatched '{stray}'" in p and "{{customer.name}}" in p for p in caught.value.problems)


def test_indonesian_greeting_renders_with_the_first_name() -> None:
    body = (
        "Halo, {{customer.first_name}}! Terima kasih sudah menghubungi kami.\n"
        "Tiket {{ticket.id}} ({{ticket.subject}}) sedang kami proses.\n"
        "Salam, {{agent.first_name}}"
    )
    check(body)
    rendered = render(body, values())
    assert rendered.text == (
        "Halo, Budi! Terima kasih sudah menghubungi kami.\n"
        "Tiket #1042 (Pesanan belum sampai) sedang kami proses.\n"
        "Salam, Ana"
    )
    assert rendered.missing == ()


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("{{customer.name}}", "Budi Santoso"),
        ("{{ customer.email }}", "budi@example.com"),
        ("{{agent.name}} <{{agent.email}}>", "Ana Putri <ana@tokoku.example>"),
        ("{{ticket.id}}", "#1042"),
        ("#{{ticket.id}}", "##1042"),
        ("{{ticket.subject}}", "Pesanan belum sampai"),
        ("{{ticket.priority}} via {{ticket.channel}}", "normal via email"),
        ("{{customer.first_name}}{{customer.first_name}}", "BudiBudi"),
    ],
)
def test_render_fills_placeholders(body: str, text: str) -> None:
    assert render(body, values()) == Rendered(text, ())


def test_status_reads_as_words() -> None:
    assert render("{{ticket.status}}", values(status=Status.ON_HOLD)).text == "on hold"


def test_a_placeholder_without_a_value_stays_and_is_reported_with_its_span() -> None:
    nameless = Customer(11, "", "anon@example.com")
    body = "Tiket {{ticket.id}}: Halo {{ customer.first_name }}, dari {{agent.first_name}} ({{ticket.ref}})"
    rendered = render(body, values(customer=nameless))
    assert rendered.text == "Tiket #1042: Halo {{ customer.first_name }}, dari Ana ({{ticket.ref}})"
    assert [p.name for p in rendered.missing] == ["customer.first_name", "ticket.ref"]
    # Spans point into the rendered text, after the earlier placeholders were filled in.
    first, ref = rendered.missing
    assert rendered.text[first.start : first.end] == "{{ customer.first_name }}"
    assert rendered.text[ref.start : ref.end] == "{{ticket.ref}}"
    assert first == Placeholder("customer.first_name", 18, 43)


def test_without_a_ticket_customer_placeholders_are_missing() -> None:
    rendered = render("Halo {{customer.first_name}}, saya {{agent.first_name}}.", context_for(None, ANA))
    assert rendered.text == "Halo {{customer.first_name}}, saya Ana."
    assert [p.name for p in rendered.missing] == ["customer.first_name"]


@pytest.mark.parametrize(
    "body",
    [
        "{{customer.__class__}}",
        "{{ 7*7 }}",
        "{{customer.name.upper()}}",
        "{{ticket.__init__.__globals__}}",
        "{{ __import__('os').system('id') }}",
        "{{customer['name']}}",
    ],
)
def test_code_in_double_braces_is_rejected_and_never_run(body: str) -> None:
    with pytest.raises(TemplateError, match="unknown placeholder"):
        check(body)
    rendered = render(body, values())
    assert rendered.text == body
    assert len(rendered.missing) == 1
    assert (rendered.missing[0].start, rendered.missing[0].end) == (0, len(body))


@pytest.mark.parametrize(
    "body",
    ["{0.__init__}", "{customer.name}", "{0}{1}", "%(name)s", "${customer.name}", "{% if x %}y{% endif %}"],
)
def test_other_template_syntaxes_are_plain_text(body: str) -> None:
    check(body)
    assert render(body, values()) == Rendered(body, ())


def test_values_are_inserted_as_text_not_expanded_again() -> None:
    sneaky = Customer(12, "{{agent.email}} [bold red]x[/]", "sneaky@example.com")
    rendered = render("Halo {{customer.name}} / {{ticket.subject}}", values(customer=sneaky, subject="{0}"))
    assert rendered.text == "Halo {{agent.email}} [bold red]x[/] / {0}"
    assert rendered.missing == ()
