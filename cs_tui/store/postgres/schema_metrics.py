"""The PostgreSQL schema's migrations 2 and 4: the metrics' counters by span
(cs_tui.store.sqlite.metric_counts, whose SQL both stores share), filled from the
tickets already stored and kept by triggers. An import's tickets are counted once a
statement, from its transition table; a changed ticket by a row trigger, as on SQLite."""

from __future__ import annotations

from cs_tui.store.sqlite.metric_counts import (
    FILL,
    INDEXES,
    KINDS,
    TABLE,
    TALLIES,
    Kind,
    contributions,
    fill,
    upsert,
)


def _added(kinds: tuple[Kind, ...]) -> str:
    added = upsert(contributions(kind, "", 1, " FROM added") for kind in kinds)
    return f"""
    CREATE OR REPLACE FUNCTION tickets_metrics_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {added};
        RETURN NULL;
    END $$;"""


def _triggers(kinds: tuple[Kind, ...]) -> str:
    parts = []
    for kind in kinds:
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in kind.inputs)
        recounted = upsert([contributions(kind, "OLD.", -1), contributions(kind, "NEW.", 1)])
        parts.append(
            f"""
    CREATE FUNCTION tickets_{kind.name}_recounted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {recounted};
        RETURN NULL;
    END $$;
    CREATE TRIGGER tickets_au_{kind.name}_counts AFTER UPDATE OF {", ".join(kind.inputs)} ON tickets
        FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION tickets_{kind.name}_recounted();"""
        )
    return "".join(parts)


METRIC_COUNTS = f"""
    {TABLE};
    {INDEXES}
    DROP INDEX tickets_frt_value;
    DROP INDEX tickets_resolution_value;
    {FILL}
    {_added(KINDS)}
    CREATE TRIGGER tickets_ai_metrics AFTER INSERT ON tickets REFERENCING NEW TABLE AS added
        FOR EACH STATEMENT EXECUTE FUNCTION tickets_metrics_added();
    {_triggers(KINDS)}
"""

TALLIED = f"""
    {fill(TALLIES)}
    {_added(KINDS + TALLIES)}
    {_triggers(TALLIES)}
"""
"""Migration 4: the tallies of metric_counts (SQLite's 17), filled, and kept by the
triggers."""
