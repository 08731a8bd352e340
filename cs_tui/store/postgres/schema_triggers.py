"""The PostgreSQL schema's triggers: the SQLite store's (cs_tui.store.sqlite.schema),
each a function and a trigger with the same effect, so every write path keeps the
counters, read marks, snoozes, reply clocks and customers' addresses alike.

Full-text entries need none: the `tsv` columns are generated. A trigger named as a
SQLite one does what that one does; the others are said where they are. Those that
follow inserts run once a statement, on the rows it added (`added`), where SQLite's
run once a row: an import adds thousands of rows a statement, and a plpgsql call and
an UPDATE of the ticket for each message tripled the time its messages took to write.
"""

from __future__ import annotations

TRIGGERS = """
    -- Every ticket is counted under its status and assignee (0 = unassigned), in one
    -- of COUNT_SLOTS rows per pair, by the connection that writes: a row is locked
    -- until its transaction commits, so with one row per pair every new ticket would
    -- wait for the one before it. A count is the sum of its rows; a row may go below
    -- zero. Two rows are changed in the order of their keys, so that two tickets moving
    -- opposite ways wait for each other rather than deadlock.
    CREATE FUNCTION ticket_count_add(status text, assignee bigint, delta integer) RETURNS void
        LANGUAGE sql AS $f$
        INSERT INTO ticket_counts AS c (status, assignee_id, slot, n)
            VALUES (status, assignee, pg_backend_pid() % 16, delta)
            ON CONFLICT (status, assignee_id, slot) DO UPDATE SET n = c.n + delta;
    $f$;
    CREATE FUNCTION tickets_counted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ticket_counts AS c (status, assignee_id, slot, n)
            SELECT status, coalesce(assignee_id, 0), pg_backend_pid() % 16, count(*)::integer
            FROM added GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (status, assignee_id, slot) DO UPDATE SET n = c.n + excluded.n;
        RETURN NULL;
    END $$;
    CREATE TRIGGER tickets_ai AFTER INSERT ON tickets REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION tickets_counted();
    CREATE FUNCTION ticket_recounted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (OLD.status, coalesce(OLD.assignee_id, 0)) < (NEW.status, coalesce(NEW.assignee_id, 0)) THEN
            PERFORM ticket_count_add(OLD.status, coalesce(OLD.assignee_id, 0), -1);
            PERFORM ticket_count_add(NEW.status, coalesce(NEW.assignee_id, 0), 1);
        ELSE
            PERFORM ticket_count_add(NEW.status, coalesce(NEW.assignee_id, 0), 1);
            PERFORM ticket_count_add(OLD.status, coalesce(OLD.assignee_id, 0), -1);
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER tickets_au_counts AFTER UPDATE OF status, assignee_id ON tickets
        FOR EACH ROW
        WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id)
        EXECUTE FUNCTION ticket_recounted();

    -- A snooze lasts only while the ticket is pending (rules.snooze_kept). SQLite clears
    -- it after the write, by a second one; here before, in the same row.
    CREATE FUNCTION snooze_ended() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.snoozed_until := NULL;
        RETURN NEW;
    END $$;
    CREATE TRIGGER tickets_bu_snooze BEFORE UPDATE OF status ON tickets
        FOR EACH ROW WHEN (NEW.status <> 'pending' AND NEW.snoozed_until IS NOT NULL)
        EXECUTE FUNCTION snooze_ended();

    -- An agent has read a ticket up to the message they write on it. A mark that
    -- would not move is left as it is.
    CREATE FUNCTION messages_read_by_writers() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ticket_reads AS r (agent_id, ticket_id, message_id)
            SELECT agent_id, ticket_id, max(id) FROM added WHERE agent_id IS NOT NULL
            GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (agent_id, ticket_id) DO UPDATE SET message_id = excluded.message_id
            WHERE r.message_id < excluded.message_id;
        RETURN NULL;
    END $$;
    CREATE TRIGGER messages_ai_read AFTER INSERT ON messages REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION messages_read_by_writers();

    -- When the customer last wrote and when the team last answered in public (a
    -- machine's message, an auto-reply, counts as neither): SQLite's
    -- messages_ai_customer and messages_ai_answered in one, so that a ticket is
    -- written once for both. A ticket whose clocks are already as late (an import
    -- gives them with the ticket) is not written at all.
    CREATE FUNCTION reply_clocks_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE tickets t SET customer_at = greatest(t.customer_at, w.customer_at),
                answered_at = greatest(t.answered_at, w.answered_at)
            FROM (SELECT ticket_id,
                    max(created_at) FILTER (WHERE author_kind = 'customer' AND auto = 0) AS customer_at,
                    max(created_at) FILTER (WHERE author_kind = 'agent' AND internal = 0 AND auto = 0)
                        AS answered_at
                FROM added GROUP BY ticket_id) w
            WHERE t.id = w.ticket_id
                AND (greatest(t.customer_at, w.customer_at) IS DISTINCT FROM t.customer_at
                    OR greatest(t.answered_at, w.answered_at) IS DISTINCT FROM t.answered_at);
        RETURN NULL;
    END $$;
    CREATE TRIGGER messages_ai_clocks AFTER INSERT ON messages REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION reply_clocks_moved();
    CREATE FUNCTION message_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE tickets SET
            customer_at = (SELECT max(created_at) FROM messages
                WHERE ticket_id = tickets.id AND author_kind = 'customer' AND auto = 0),
            answered_at = (SELECT max(created_at) FROM messages
                WHERE ticket_id = tickets.id AND author_kind = 'agent' AND internal = 0 AND auto = 0)
            WHERE id IN (OLD.ticket_id, NEW.ticket_id);
        RETURN NULL;
    END $$;
    CREATE TRIGGER messages_au_moved AFTER UPDATE OF ticket_id ON messages
        FOR EACH ROW EXECUTE FUNCTION message_moved();

    -- A new customer's email is their first identity.
    CREATE FUNCTION customers_first_identities() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO customer_identities(customer_id, kind, value, added_at)
            SELECT id, 'email', email, created_at FROM added;
        RETURN NULL;
    END $$;
    CREATE TRIGGER customers_ai_record AFTER INSERT ON customers REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION customers_first_identities();

    -- `addresses`: the customer's identities, one a line, oldest first. As in SQLite,
    -- changing an identity's kind or value (not its customer) leaves it to the writer.
    -- A customer whose `addresses` already says so (an import gives a new customer's
    -- with them) is not written again.
    CREATE FUNCTION customer_addresses_kept_for(customer_ids bigint[]) RETURNS void
        LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE customers c SET addresses = kept.addresses
            FROM (SELECT DISTINCT id FROM unnest(customer_ids) AS changed(id)) changed,
                LATERAL (SELECT coalesce(string_agg(value, E'\\n' ORDER BY id), '') AS addresses
                    FROM customer_identities WHERE customer_id = changed.id) kept
            WHERE c.id = changed.id AND c.addresses IS DISTINCT FROM kept.addresses;
    END $$;
    CREATE FUNCTION customer_addresses_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM customer_addresses_kept_for(array(SELECT customer_id FROM added));
        RETURN NULL;
    END $$;
    CREATE TRIGGER customer_identities_ai AFTER INSERT ON customer_identities
        REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION customer_addresses_added();
    CREATE FUNCTION customer_addresses_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM customer_addresses_kept_for(array(SELECT customer_id FROM removed));
        RETURN NULL;
    END $$;
    CREATE TRIGGER customer_identities_ad AFTER DELETE ON customer_identities
        REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION customer_addresses_removed();
    CREATE FUNCTION customer_addresses_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM customer_addresses_kept_for(ARRAY[OLD.customer_id, NEW.customer_id]);
        RETURN NULL;
    END $$;
    CREATE TRIGGER customer_identities_au AFTER UPDATE OF customer_id ON customer_identities
        FOR EACH ROW EXECUTE FUNCTION customer_addresses_moved();

    -- Not in SQLite, which numbers a row it is given no id for after the largest
    -- there is: an id written as it is (an import keeping a file's numbers, messages
    -- given new ids in a merge) moves the identity on past it, or the next row the
    -- identity numbers would take an id already there.
    CREATE FUNCTION ids_ahead() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ids regclass := pg_get_serial_sequence(format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME), 'id');
    BEGIN
        PERFORM setval(ids, greatest(NEW.id, coalesce(pg_sequence_last_value(ids), 0)));
        RETURN NULL;
    END $$;
    -- The same for the rows a statement added, once a statement: the tables an
    -- import writes ids into; the trigger names the identity's sequence.
    CREATE FUNCTION ids_ahead_of_added() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ids regclass := TG_ARGV[0];
        last_added bigint := (SELECT max(id) FROM added);
    BEGIN
        IF last_added > coalesce(pg_sequence_last_value(ids), 0) THEN
            PERFORM setval(ids, last_added);
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER agents_ids_ahead AFTER INSERT OR UPDATE OF id ON agents FOR EACH ROW
        WHEN (NEW.id > coalesce(pg_sequence_last_value('agents_id_seq'), 0))
        EXECUTE FUNCTION ids_ahead();
    CREATE TRIGGER customers_ids_ahead AFTER INSERT OR UPDATE OF id ON customers FOR EACH ROW
        WHEN (NEW.id > coalesce(pg_sequence_last_value('customers_id_seq'), 0))
        EXECUTE FUNCTION ids_ahead();
    CREATE TRIGGER tickets_ids_ahead AFTER INSERT ON tickets REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION ids_ahead_of_added('tickets_id_seq');
    CREATE TRIGGER tickets_ids_ahead_moved AFTER UPDATE OF id ON tickets FOR EACH ROW
        WHEN (NEW.id > coalesce(pg_sequence_last_value('tickets_id_seq'), 0))
        EXECUTE FUNCTION ids_ahead();
    CREATE TRIGGER messages_ids_ahead AFTER INSERT ON messages REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION ids_ahead_of_added('messages_id_seq');
    CREATE TRIGGER messages_ids_ahead_moved AFTER UPDATE OF id ON messages FOR EACH ROW
        WHEN (NEW.id > coalesce(pg_sequence_last_value('messages_id_seq'), 0))
        EXECUTE FUNCTION ids_ahead();
    CREATE TRIGGER canned_responses_ids_ahead AFTER INSERT OR UPDATE OF id ON canned_responses
        FOR EACH ROW WHEN (NEW.id > coalesce(pg_sequence_last_value('canned_responses_id_seq'), 0))
        EXECUTE FUNCTION ids_ahead();
    CREATE TRIGGER attachments_ids_ahead AFTER INSERT OR UPDATE OF id ON attachments FOR EACH ROW
        WHEN (NEW.id > coalesce(pg_sequence_last_value('attachments_id_seq'), 0))
        EXECUTE FUNCTION ids_ahead();
    CREATE TRIGGER quarantine_ids_ahead AFTER INSERT OR UPDATE OF id ON quarantine FOR EACH ROW
        WHEN (NEW.id > coalesce(pg_sequence_last_value('quarantine_id_seq'), 0))
        EXECUTE FUNCTION ids_ahead();
    CREATE TRIGGER customer_identities_ids_ahead AFTER INSERT OR UPDATE OF id ON customer_identities
        FOR EACH ROW WHEN (NEW.id > coalesce(pg_sequence_last_value('customer_identities_id_seq'), 0))
        EXECUTE FUNCTION ids_ahead();
    CREATE TRIGGER received_ids_ahead AFTER INSERT OR UPDATE OF id ON received FOR EACH ROW
        WHEN (NEW.id > coalesce(pg_sequence_last_value('received_id_seq'), 0))
        EXECUTE FUNCTION ids_ahead();

    -- An event's position (see the events table): its transaction's id times
    -- EVENTS_A_TRANSACTION, plus how many events that transaction wrote before it
    -- (counted in a setting that lasts as long as the transaction).
    CREATE FUNCTION event_positioned() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        written integer := coalesce(nullif(current_setting('cs_tui.events_written', true), ''), '0')::integer;
    BEGIN
        IF written >= 16384 THEN
            RAISE EXCEPTION 'one transaction wrote more than 16384 events: write in smaller transactions';
        END IF;
        PERFORM set_config('cs_tui.events_written', (written + 1)::text, true);
        NEW.xid := pg_current_xact_id();
        NEW.position := NEW.xid::text::bigint * 16384 + written;
        RETURN NEW;
    END $$;
    CREATE TRIGGER events_positioned BEFORE INSERT ON events
        FOR EACH ROW EXECUTE FUNCTION event_positioned();
"""
