"""A PostgreSQL connection (asyncpg) that the store's shared SQL code talks to as it
talks to SQLite's: `?` and `:name` placeholders, `execute` giving a cursor with its
rows and `rowcount`, `execute_fetchall`, `executemany`, and the DB-API's errors
(sqlite3's classes are the standard library's DB-API errors, which that code
catches)."""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, cast

import aiosqlite
import asyncpg
from asyncpg.pool import PoolConnectionProxy

_RETURNS_ROWS = re.compile(r"^\s*(SELECT|WITH|VALUES|SHOW|EXPLAIN)\b|\bRETURNING\b", re.IGNORECASE)


_SQLITE_ONLY = (
    # SQLite's planner hint: PostgreSQL plans without it.
    (re.compile(r"\bINDEXED BY \w+", re.IGNORECASE), ""),
    (re.compile(r"\bjson_array\(", re.IGNORECASE), "json_build_array("),
)
"""The few words of SQLite's dialect in the shared SQL that PostgreSQL has under other
names. The schema gives the others (group_concat, json_group_array, scalar max and
min, the NOCASE collation) under SQLite's names."""


@functools.lru_cache(maxsize=4096)
def translated(sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` as PostgreSQL takes it: each `?`, or `:name`, outside quotes numbered as
    `$1`, `$2`, ...; and the names of the `:name` parameters in the order numbered."""
    for pattern, replacement in _SQLITE_ONLY:
        sql = pattern.sub(replacement, sql)
    out: list[str] = []
    names: list[str] = []
    number = 0
    quote: str | None = None
    i = 0
    while i < len(sql):
        char = sql[i]
        if quote is not None:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            number += 1
            out.append(f"${number}")
            i += 1
            continue
        elif char == ":" and _names_a_parameter(sql, i):
            end = i + 1
            while end < len(sql) and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            name = sql[i + 1 : end]
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i = end
            continue
        out.append(char)
        i += 1
    return "".join(out), tuple(names)


def _names_a_parameter(sql: str, i: int) -> bool:
    """Whether the `:` at `i` begins a `:name` (not a `::type` cast)."""
    following = sql[i + 1 : i + 2]
    return (following.isalpha() or following == "_") and sql[i - 1 : i] != ":"


def _bound(sql: str, params: Any) -> tuple[str, Sequence[Any]]:
    query, names = translated(sql)
    if isinstance(params, Mapping):
        return query, [params[name] for name in names]
    return query, tuple(params)


def db_error(error: Exception) -> Exception:
    """The DB-API error for an asyncpg error, with PostgreSQL's words."""
    text = str(error)
    if isinstance(error, asyncpg.IntegrityConstraintViolationError):
        return sqlite3.IntegrityError(text)
    if isinstance(error, asyncpg.DataError | asyncpg.exceptions.DataError | OverflowError | ValueError):
        return sqlite3.DataError(text)
    if isinstance(error, asyncpg.PostgresError):
        return sqlite3.OperationalError(text)
    return error


class Cursor:
    """What a statement gave: its rows, and how many rows it wrote or read."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    async def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    async def fetchall(self) -> list[Any]:
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None


class _Pending:
    """`await conn.execute(...)` and `async with conn.execute(...) as cursor` alike."""

    def __init__(self, connection: Connection, sql: str, params: Iterable[Any] | Mapping[str, Any]) -> None:
        self._connection = connection
        self._sql = sql
        self._params = params

    def __await__(self) -> Any:
        return self._connection.run(self._sql, self._params).__await__()

    async def __aenter__(self) -> Cursor:
        return await self._connection.run(self._sql, self._params)

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


class Connection:
    def __init__(self, raw: asyncpg.Connection[Any] | PoolConnectionProxy[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()) -> _Pending:
        return _Pending(self, sql, params)

    async def run(self, sql: str, params: Iterable[Any] | Mapping[str, Any]) -> Cursor:
        query, values = _bound(sql, params)
        try:
            if _RETURNS_ROWS.search(sql):
                rows = await self.raw.fetch(query, *values)
                return Cursor(rows, len(rows))
            status = await self.raw.execute(query, *values)
        except Exception as error:
            raise db_error(error) from error
        return Cursor([], _count_of(status))

    async def execute_fetchall(self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()) -> list[Any]:
        cursor = await self.run(sql, params)
        return await cursor.fetchall()

    @contextlib.asynccontextmanager
    async def generic_plans(self) -> AsyncIterator[None]:
        """Reads planned once for any values of their parameters, in a read-only
        transaction of their own (so that the setting goes with it, behind a pooler
        too): for statements whose parameters only move a window of time. Where a
        table is large PostgreSQL would plan them again at every call, each time at
        more than the reading costs."""
        await self.raw.execute("BEGIN READ ONLY; SET LOCAL plan_cache_mode = force_generic_plan")
        try:
            yield
        finally:
            await self.raw.execute("COMMIT")

    async def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        try:
            await self.raw.executemany(translated(sql)[0], [tuple(row) for row in params])
        except Exception as error:
            raise db_error(error) from error


def _count_of(status: str) -> int:
    """The row count in a command's status ("UPDATE 3", "INSERT 0 1")."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def shared(connection: Connection) -> aiosqlite.Connection:
    """The connection as the shared SQL code takes it (it talks to both alike)."""
    return cast(aiosqlite.Connection, connection)
