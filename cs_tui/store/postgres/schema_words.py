"""The PostgreSQL schema's migration 3: each ticket's `words`, the words of all its
messages, so that a search walking the tickets asks each one question.

A common word's count and page walk the tickets in an index's order and ask each
whether it has the word (cs_tui.store.postgres.search). Asked of the messages, that
read four of them a ticket on average (2 µs); asked of `words`, it is one look in a
list on the ticket's own row. At a million tickets (paired in one script): `pesanan`
5.8 to 2.3 ms, `budi` (63,000 tickets walked) 363 to 60 ms, `status:open refund` 168
to 48 ms; a reply 1.50 to 1.53 ms.

`words` holds each lexeme once, without positions (strip), so it answers a word of one
token (the search's words are prefixes: `pesanan:*`) but not a phrase, which the
messages still answer. It is NULL where it would take more than WORDS_AT_MOST bytes (a
tsvector holds at most 1 MB): such a ticket's messages are asked instead. The messages'
trigger that moves the reply clocks keeps it, in the same write of the ticket; a
message moved to another ticket (a merge, a split) makes both tickets' again.
"""

from __future__ import annotations

WORDS_AT_MOST = 262_144
"""The most bytes a ticket's `words` may take; past them it is NULL. Two such lists
joined stay under a tsvector's 1 MB."""

WORDS = f"""
    -- `kept` (at most WORDS_AT_MOST bytes, or NULL: too many) with the lexemes of
    -- `more` added; NULL once past WORDS_AT_MOST. Each operand of || is at most
    -- WORDS_AT_MOST bytes as it is joined, so the join never reaches the 1 MB a
    -- tsvector may hold.
    CREATE FUNCTION cs_words_add(kept tsvector, more tsvector) RETURNS tsvector
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    DECLARE
        joined tsvector;
    BEGIN
        IF kept IS NULL OR more IS NULL THEN
            RETURN NULL;
        END IF;
        joined := strip(more);
        IF pg_column_size(joined) > {WORDS_AT_MOST} THEN
            RETURN NULL;
        END IF;
        joined := kept || joined;
        IF pg_column_size(joined) > {WORDS_AT_MOST} THEN
            RETURN NULL;
        END IF;
        RETURN joined;
    END $$;
    CREATE AGGREGATE cs_words_of(tsvector) (sfunc = cs_words_add, stype = tsvector, initcond = '');

    ALTER TABLE tickets ADD COLUMN words tsvector DEFAULT '';
    UPDATE tickets t SET words = w.words
        FROM (SELECT ticket_id, cs_words_of(tsv) AS words FROM messages GROUP BY ticket_id) w
        WHERE t.id = w.ticket_id;

    -- The reply clocks (schema_triggers) and the words, in one write of each ticket.
    CREATE OR REPLACE FUNCTION reply_clocks_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE tickets t SET customer_at = greatest(t.customer_at, w.customer_at),
                answered_at = greatest(t.answered_at, w.answered_at),
                words = cs_words_add(t.words, w.words)
            FROM (SELECT ticket_id,
                    max(created_at) FILTER (WHERE author_kind = 'customer' AND auto = 0) AS customer_at,
                    max(created_at) FILTER (WHERE author_kind = 'agent' AND internal = 0 AND auto = 0)
                        AS answered_at,
                    cs_words_of(tsv) AS words
                FROM added GROUP BY ticket_id) w
            WHERE t.id = w.ticket_id;
        RETURN NULL;
    END $$;
    CREATE OR REPLACE FUNCTION message_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE tickets SET
            customer_at = (SELECT max(created_at) FROM messages
                WHERE ticket_id = tickets.id AND author_kind = 'customer' AND auto = 0),
            answered_at = (SELECT max(created_at) FROM messages
                WHERE ticket_id = tickets.id AND author_kind = 'agent' AND internal = 0 AND auto = 0),
            words = (SELECT cs_words_of(tsv) FROM messages WHERE ticket_id = tickets.id)
            WHERE id IN (OLD.ticket_id, NEW.ticket_id);
        RETURN NULL;
    END $$;
"""
