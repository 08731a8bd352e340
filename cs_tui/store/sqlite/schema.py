"""The SQLite schema as forward-only migrations, applied in order on open.

`PRAGMA user_version` holds how many have run (from 14 on: schema_later). Counters,
full-text indexes and derived columns are kept by triggers, so every write path keeps
them alike.
"""

from __future__ import annotations

from cs_tui.store.sqlite.schema_later import LATER

MIGRATIONS: tuple[str, ...] = (
    # 1: the foundation
    """
    CREATE TABLE agents (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL DEFAULT 'agent',
        active INTEGER NOT NULL DEFAULT 1,
        token_hash TEXT UNIQUE,
        created_at INTEGER NOT NULL
    );

    CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
    );

    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        ref TEXT NOT NULL UNIQUE,
        subject TEXT NOT NULL,
        status TEXT NOT NULL,
        active INTEGER NOT NULL,
        priority TEXT NOT NULL,
        priority_rank INTEGER NOT NULL,
        channel TEXT NOT NULL,
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        assignee_id INTEGER REFERENCES agents(id),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        first_response_at INTEGER,
        frt_us INTEGER,
        solved_at INTEGER,
        sla_due_at INTEGER,
        csat_rating INTEGER,
        csat_comment TEXT,
        csat_at INTEGER,
        message_count INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 1
    );
    -- Queue orders (keyset paging walks these; none sorts the table)
    CREATE INDEX tickets_updated ON tickets(updated_at, id);
    CREATE INDEX tickets_active_updated ON tickets(active, updated_at, id);
    CREATE INDEX tickets_assignee_updated ON tickets(assignee_id, active, updated_at, id);
    CREATE INDEX tickets_created ON tickets(created_at, id);
    CREATE INDEX tickets_priority ON tickets(priority_rank, updated_at, id);
    CREATE INDEX tickets_sla ON tickets(coalesce(sla_due_at, 9223372036854775807), id);
    CREATE INDEX tickets_customer ON tickets(customer_id);
    -- Metrics windows
    CREATE INDEX tickets_frt ON tickets(created_at, frt_us) WHERE frt_us IS NOT NULL;
    CREATE INDEX tickets_awaiting ON tickets(created_at)
        WHERE first_response_at IS NULL AND active = 1;
    CREATE INDEX tickets_solved ON tickets(solved_at, created_at) WHERE solved_at IS NOT NULL;
    CREATE INDEX tickets_csat ON tickets(csat_at, csat_rating) WHERE csat_at IS NOT NULL;
    CREATE INDEX tickets_due ON tickets(sla_due_at) WHERE sla_due_at IS NOT NULL;

    CREATE TABLE ticket_tags (
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        tag TEXT NOT NULL,
        PRIMARY KEY (ticket_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX ticket_tags_tag ON ticket_tags(tag, ticket_id);

    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL UNIQUE,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        author_kind TEXT NOT NULL,
        agent_id INTEGER REFERENCES agents(id),
        body TEXT NOT NULL,
        internal INTEGER NOT NULL DEFAULT 0,
        auto INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX messages_ticket ON messages(ticket_id, id);

    -- Open-ticket counts by status and assignee (0 = unassigned), kept by triggers
    CREATE TABLE ticket_counts (
        status TEXT NOT NULL,
        assignee_id INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (status, assignee_id)
    ) WITHOUT ROWID;

    CREATE VIRTUAL TABLE ticket_fts USING fts5(
        subject, content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE customer_fts USING fts5(
        name, email, content='customers', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE message_fts USING fts5(
        body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    );

    CREATE TRIGGER tickets_ai AFTER INSERT ON tickets BEGIN
        INSERT INTO ticket_fts(rowid, subject) VALUES (new.id, new.subject);
        INSERT INTO ticket_counts(status, assignee_id, n)
            VALUES (new.status, coalesce(new.assignee_id, 0), 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER tickets_au_subject AFTER UPDATE OF subject ON tickets BEGIN
        INSERT INTO ticket_fts(ticket_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
        INSERT INTO ticket_fts(rowid, subject) VALUES (new.id, new.subject);
    END;
    CREATE TRIGGER tickets_au_counts AFTER UPDATE OF status, assignee_id ON tickets
    WHEN old.status IS NOT new.status OR old.assignee_id IS NOT new.assignee_id BEGIN
        UPDATE ticket_counts SET n = n - 1
            WHERE status = old.status AND assignee_id = coalesce(old.assignee_id, 0);
        INSERT INTO ticket_counts(status, assignee_id, n)
            VALUES (new.status, coalesce(new.assignee_id, 0), 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER customers_ai AFTER INSERT ON customers BEGIN
        INSERT INTO customer_fts(rowid, name, email) VALUES (new.id, new.name, new.email);
    END;
    CREATE TRIGGER customers_au AFTER UPDATE OF name, email ON customers BEGIN
        INSERT INTO customer_fts(customer_fts, rowid, name, email)
            VALUES ('delete', old.id, old.name, old.email);
        INSERT INTO customer_fts(rowid, name, email) VALUES (new.id, new.name, new.email);
    END;
    CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
        INSERT INTO message_fts(rowid, body) VALUES (new.id, new.body);
    END;

    CREATE TABLE canned_responses (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL UNIQUE COLLATE NOCASE,
        body TEXT NOT NULL,
        shortcut TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        action_status TEXT,
        action_priority TEXT,
        action_tags TEXT NOT NULL DEFAULT '',
        usage_count INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE drafts (
        agent_id INTEGER NOT NULL REFERENCES agents(id),
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (agent_id, ticket_id)
    ) WITHOUT ROWID;

    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ticket_id INTEGER,
        actor_id INTEGER,
        at INTEGER NOT NULL
    );
    """,
    # 2: queue orders and counts that walked or sorted the whole open queue
    """
    CREATE INDEX tickets_active_sla
        ON tickets(active, coalesce(sla_due_at, 9223372036854775807), id);
    CREATE INDEX tickets_assignee_sla
        ON tickets(assignee_id, active, coalesce(sla_due_at, 9223372036854775807), id);
    CREATE INDEX tickets_priority_updated ON tickets(priority, updated_at, id);
    CREATE INDEX tickets_channel_updated ON tickets(channel, updated_at, id);
    """,
    # 3: medians walk the values in order instead of sorting the window's tickets
    """
    CREATE INDEX tickets_frt_value ON tickets(frt_us, created_at) WHERE frt_us IS NOT NULL;
    CREATE INDEX tickets_resolution_value
        ON tickets(solved_at - created_at, solved_at, created_at) WHERE solved_at IS NOT NULL;
    """,
    # 4: what each agent has read of each ticket; writing a message reads what came before
    """
    CREATE TABLE ticket_reads (
        agent_id INTEGER NOT NULL REFERENCES agents(id),
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        message_id INTEGER NOT NULL,
        PRIMARY KEY (agent_id, ticket_id)
    ) WITHOUT ROWID;
    CREATE TRIGGER messages_ai_read AFTER INSERT ON messages WHEN new.agent_id IS NOT NULL BEGIN
        INSERT INTO ticket_reads(agent_id, ticket_id, message_id)
            VALUES (new.agent_id, new.ticket_id, new.id)
            ON CONFLICT DO UPDATE SET message_id = max(message_id, excluded.message_id);
    END;
    INSERT INTO ticket_reads(agent_id, ticket_id, message_id)
        SELECT agent_id, ticket_id, max(id) FROM messages
        WHERE agent_id IS NOT NULL GROUP BY agent_id, ticket_id;
    """,
    # 5: who is on which ticket: one row per running session, renewed every few seconds
    """
    CREATE TABLE presence (
        session TEXT PRIMARY KEY,
        agent_id INTEGER NOT NULL REFERENCES agents(id),
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        activity TEXT NOT NULL,
        seen_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX presence_seen ON presence(seen_at);
    """,
    # 6: one full-text index of subjects and messages, its entries numbered by ticket
    # (rowid = ticket id << 24 | the message's place in the ticket, 0 for the subject),
    # so the tickets a word is in come from the index alone, not a lookup per message
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        text, content='', tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO search_fts(rowid, text) SELECT id << 24, subject FROM tickets;
    INSERT INTO search_fts(rowid, text)
        SELECT (ticket_id << 24) + row_number() OVER (PARTITION BY ticket_id ORDER BY id), body
        FROM messages;
    DROP TRIGGER tickets_ai;
    CREATE TRIGGER tickets_ai AFTER INSERT ON tickets BEGIN
        INSERT INTO search_fts(rowid, text) VALUES (new.id << 24, new.subject);
        INSERT INTO ticket_counts(status, assignee_id, n)
            VALUES (new.status, coalesce(new.assignee_id, 0), 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    DROP TRIGGER tickets_au_subject;
    CREATE TRIGGER tickets_au_subject AFTER UPDATE OF subject ON tickets BEGIN
        INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id << 24, old.subject);
        INSERT INTO search_fts(rowid, text) VALUES (new.id << 24, new.subject);
    END;
    DROP TRIGGER messages_ai;
    -- Messages are never changed or deleted, so a ticket's count of them numbers the new one.
    CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
        INSERT INTO search_fts(rowid, text) VALUES (
            (new.ticket_id << 24) + (SELECT count(*) FROM messages WHERE ticket_id = new.ticket_id),
            new.body
        );
    END;
    DROP TABLE ticket_fts;
    DROP TABLE message_fts;
    """,
    # 7: channels. A message's external id (a mail's Message-ID, ours or the
    # customer's) threads replies; who wrote a message taken in, when it is not the
    # ticket's customer (someone on Cc); what a channel took in is keyed by id and by
    # raw bytes, so nothing is taken twice; a reply's delivery state (handed_at: when
    # the current try began handing it to the server); files by hash beside the
    # store; what could not be read, raw; one process a channel (leases).
    """
    ALTER TABLE tickets ADD COLUMN channel_name TEXT;
    ALTER TABLE tickets ADD COLUMN cc TEXT NOT NULL DEFAULT '';
    ALTER TABLE tickets ADD COLUMN linked_to INTEGER REFERENCES tickets(id);
    ALTER TABLE messages ADD COLUMN external_id TEXT;
    ALTER TABLE messages ADD COLUMN quoted TEXT NOT NULL DEFAULT '';
    ALTER TABLE messages ADD COLUMN raw_sha256 TEXT;
    ALTER TABLE messages ADD COLUMN from_name TEXT;
    ALTER TABLE messages ADD COLUMN from_email TEXT;
    CREATE INDEX messages_external ON messages(external_id) WHERE external_id IS NOT NULL;
    CREATE TABLE channels (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        settings TEXT NOT NULL,
        cursor TEXT,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE taken_in (
        channel TEXT NOT NULL,
        key TEXT NOT NULL,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        PRIMARY KEY (channel, key)
    ) WITHOUT ROWID;
    CREATE TABLE deliveries (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        channel TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        attempts INTEGER NOT NULL DEFAULT 0,
        retry_at INTEGER,
        first_try_at INTEGER,
        handed_at INTEGER
    );
    CREATE INDEX deliveries_due ON deliveries(channel, retry_at) WHERE state IN ('queued', 'sending');
    CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        filename TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL
    );
    CREATE INDEX attachments_message ON attachments(message_id);
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        reason TEXT NOT NULL,
        raw BLOB NOT NULL,
        raw_sha256 TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        UNIQUE (channel, raw_sha256)
    );
    CREATE TABLE leases (
        channel TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    """,
    # 8: the SLA clock stands still while a ticket waits on the customer or a third
    # party (pending, on hold): how long it stood still in stretches that ended, and
    # since when it has stood still now; such a ticket has no deadline (NULL) until it
    # reopens (cs_tui.domain.rules). One waiting when the store is upgraded stopped
    # its clock at its last change, as far as can be told: it went waiting then or
    # before (every change since left it waiting), and the latest time it can have
    # stopped never hides a breach. Earlier stretches are not known: none is counted.
    """
    ALTER TABLE tickets ADD COLUMN sla_paused_us INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN sla_paused_since INTEGER;
    UPDATE tickets SET sla_paused_since = updated_at, sla_due_at = NULL
        WHERE status IN ('pending', 'on_hold');
    """,
    # 9: the customer's record. Every address a customer writes from (a second email,
    # a WhatsApp number) is one of their identities, each one customer's alone; the
    # primary email (customers.email, where replies go) is one of them. `addresses`
    # is all of them, one a line, kept by triggers: the ticket's customer carries it,
    # and a trigram index over it and the name finds `customer:budi` or
    # `customer:@tokoku` by any part. Shared notes and tags, versioned as tickets
    # are. A customer merged into another is deleted; its id leads to the other.
    # Events name the customer a CUSTOMER_CHANGED event is about.
    """
    ALTER TABLE customers ADD COLUMN addresses TEXT NOT NULL DEFAULT '';
    ALTER TABLE customers ADD COLUMN notes TEXT NOT NULL DEFAULT '';
    ALTER TABLE customers ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    ALTER TABLE customers ADD COLUMN updated_at INTEGER;
    ALTER TABLE customers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE events ADD COLUMN customer_id INTEGER;
    CREATE INDEX customers_name ON customers(name COLLATE NOCASE, id);
    CREATE TABLE customer_identities (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        UNIQUE (value, kind)
    );
    CREATE INDEX customer_identities_customer ON customer_identities(customer_id, id);
    CREATE TABLE customer_merges (
        merged_id INTEGER PRIMARY KEY,
        into_id INTEGER NOT NULL REFERENCES customers(id),
        merged_at INTEGER NOT NULL
    );
    CREATE INDEX customer_merges_into ON customer_merges(into_id);
    INSERT OR IGNORE INTO customer_identities(customer_id, kind, value, added_at)
        SELECT id, 'email', email, created_at FROM customers ORDER BY id;
    UPDATE customers SET addresses = email;
    CREATE VIRTUAL TABLE customer_grams USING fts5(
        name, addresses, content='customers', content_rowid='id', tokenize='trigram'
    );
    INSERT INTO customer_grams(customer_grams) VALUES ('rebuild');
    -- One trigger, so the index has the customer before their first identity changes it.
    CREATE TRIGGER customers_ai_record AFTER INSERT ON customers BEGIN
        INSERT INTO customer_grams(rowid, name, addresses) VALUES (new.id, new.name, new.addresses);
        INSERT INTO customer_identities(customer_id, kind, value, added_at)
            VALUES (new.id, 'email', new.email, new.created_at);
    END;
    CREATE TRIGGER customers_au_grams AFTER UPDATE OF name, addresses ON customers BEGIN
        INSERT INTO customer_grams(customer_grams, rowid, name, addresses)
            VALUES ('delete', old.id, old.name, old.addresses);
        INSERT INTO customer_grams(rowid, name, addresses) VALUES (new.id, new.name, new.addresses);
    END;
    CREATE TRIGGER customers_ad AFTER DELETE ON customers BEGIN
        INSERT INTO customer_fts(customer_fts, rowid, name, email)
            VALUES ('delete', old.id, old.name, old.email);
        INSERT INTO customer_grams(customer_grams, rowid, name, addresses)
            VALUES ('delete', old.id, old.name, old.addresses);
    END;
    CREATE TRIGGER customer_identities_ai AFTER INSERT ON customer_identities BEGIN
        UPDATE customers SET addresses = (
            SELECT group_concat(value, char(10)) FROM (
                SELECT value FROM customer_identities WHERE customer_id = new.customer_id ORDER BY id))
            WHERE id = new.customer_id;
    END;
    CREATE TRIGGER customer_identities_ad AFTER DELETE ON customer_identities BEGIN
        UPDATE customers SET addresses = coalesce((
            SELECT group_concat(value, char(10)) FROM (
                SELECT value FROM customer_identities WHERE customer_id = old.customer_id ORDER BY id)), '')
            WHERE id = old.customer_id;
    END;
    CREATE TRIGGER customer_identities_au AFTER UPDATE OF customer_id ON customer_identities BEGIN
        UPDATE customers SET addresses = coalesce((
            SELECT group_concat(value, char(10)) FROM (
                SELECT value FROM customer_identities WHERE customer_id = customers.id ORDER BY id)), '')
            WHERE id IN (old.customer_id, new.customer_id);
    END;
    """,
    # 10: tickets merged into another (cs_tui.domain.merging). A merged ticket counts in
    # no figure, so the metrics' partial indexes leave it out (merged_into is their last
    # column, always NULL, so that a figure is read from the index alone), and new
    # tickets per hour take away those a small index of merged tickets holds. Its
    # messages moved (a message's entry in search_fts is numbered by its place in its
    # ticket, so a move numbers the entries of both tickets again).
    """
    ALTER TABLE tickets ADD COLUMN merged_into INTEGER REFERENCES tickets(id);
    DROP INDEX tickets_frt;
    CREATE INDEX tickets_frt ON tickets(created_at, frt_us, merged_into)
        WHERE frt_us IS NOT NULL AND merged_into IS NULL;
    DROP INDEX tickets_frt_value;
    CREATE INDEX tickets_frt_value ON tickets(frt_us, created_at, merged_into)
        WHERE frt_us IS NOT NULL AND merged_into IS NULL;
    DROP INDEX tickets_solved;
    CREATE INDEX tickets_solved ON tickets(solved_at, created_at, merged_into)
        WHERE solved_at IS NOT NULL AND merged_into IS NULL;
    DROP INDEX tickets_resolution_value;
    CREATE INDEX tickets_resolution_value
        ON tickets(solved_at - created_at, solved_at, created_at, merged_into)
        WHERE solved_at IS NOT NULL AND merged_into IS NULL;
    DROP INDEX tickets_csat;
    CREATE INDEX tickets_csat ON tickets(csat_at, csat_rating, merged_into)
        WHERE csat_at IS NOT NULL AND merged_into IS NULL;
    CREATE INDEX tickets_merged ON tickets(created_at, merged_into) WHERE merged_into IS NOT NULL;
    """,
    # 11: snoozed tickets (cs_tui.domain.snooze): pending until `snoozed_until`, then back
    # open. A small index holds the snoozed ones, for waking them and for `snoozed:`. A
    # snooze lasts only while the ticket is pending (rules.snooze_kept): the writes say so,
    # and a trigger keeps it so on every write that changes a status.
    """
    ALTER TABLE tickets ADD COLUMN snoozed_until INTEGER;
    CREATE INDEX tickets_snoozed ON tickets(snoozed_until) WHERE snoozed_until IS NOT NULL;
    CREATE TRIGGER tickets_au_snooze AFTER UPDATE OF status ON tickets
        WHEN new.status <> 'pending' AND new.snoozed_until IS NOT NULL BEGIN
        UPDATE tickets SET snoozed_until = NULL WHERE id = new.id;
    END;
    """,
    # 12: channels that keep a conversation rather than Message-IDs (a website chat, a
    # WhatsApp number): a ticket names its conversation, and a message of it joins the
    # conversation's latest ticket (domain.threads), found by a small index. Each chat
    # channel signs its visitors' tokens with a key of its own, kept here so that every
    # server process and a restarted one know it. What a chat's visitor is doing (here,
    # typing, gone), said by the widget every few seconds.
    """
    ALTER TABLE tickets ADD COLUMN conversation TEXT;
    CREATE INDEX tickets_conversation ON tickets(conversation, id) WHERE conversation IS NOT NULL;
    CREATE TABLE channel_keys (
        channel TEXT PRIMARY KEY,
        key BLOB NOT NULL
    );
    CREATE TABLE visitors (
        ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
        seen_at INTEGER NOT NULL,
        typing_at INTEGER,
        left_at INTEGER
    );
    """,
    # 13: when the customer last wrote and when the team last answered in public, kept
    # by triggers on every way a message is written or moved (a machine's message, an
    # auto-reply, counts as neither): a chat waits on the team
    # from the visitor's last message, and Meta's reply windows close a day after the
    # customer's.
    """
    ALTER TABLE tickets ADD COLUMN customer_at INTEGER;
    ALTER TABLE tickets ADD COLUMN answered_at INTEGER;
    UPDATE tickets SET
        customer_at = (SELECT max(created_at) FROM messages
            WHERE ticket_id = tickets.id AND author_kind = 'customer' AND NOT auto),
        answered_at = (SELECT max(created_at) FROM messages
            WHERE ticket_id = tickets.id AND author_kind = 'agent' AND NOT internal AND NOT auto);
    CREATE TRIGGER messages_ai_customer AFTER INSERT ON messages
        WHEN new.author_kind = 'customer' AND NOT new.auto BEGIN
        UPDATE tickets SET customer_at = new.created_at
            WHERE id = new.ticket_id AND (customer_at IS NULL OR customer_at < new.created_at);
    END;
    CREATE TRIGGER messages_ai_answered AFTER INSERT ON messages
        WHEN new.author_kind = 'agent' AND NOT new.internal AND NOT new.auto BEGIN
        UPDATE tickets SET answered_at = new.created_at
            WHERE id = new.ticket_id AND (answered_at IS NULL OR answered_at < new.created_at);
    END;
    CREATE TRIGGER messages_au_moved AFTER UPDATE OF ticket_id ON messages BEGIN
        UPDATE tickets SET
            customer_at = (SELECT max(created_at) FROM messages
                WHERE ticket_id = tickets.id AND author_kind = 'customer' AND NOT auto),
            answered_at = (SELECT max(created_at) FROM messages
                WHERE ticket_id = tickets.id AND author_kind = 'agent' AND NOT internal AND NOT auto)
            WHERE id IN (old.ticket_id, new.ticket_id);
    END;
    """,
    *LATER,
)

SCHEMA_VERSION = len(MIGRATIONS)
