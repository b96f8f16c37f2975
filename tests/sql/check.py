"""Checks that the SQL trailscope writes means what the page means.

Reads DIR/cases.json (written by `cargo run --release -p trailscope-core --example sql_cases -- DIR`) and,
for every query of the shared table:

- runs the DuckDB SQL with DuckDB over the delivery files and compares its event IDs with the core's, for
  Amazon Transcribe's events and for all events; a difference prints the IDs on each side;
- requires the query to match some events but not all (a query that matches nothing proves nothing);
- parses the Athena and Lake SQL with sqlglot's Trino dialect, so a syntax error fails.

The hostile queries (quotes, LIKE wildcards, backslashes in values) must agree and parse too, but may match
nothing. The Athena CREATE TABLE statement must parse as Hive DDL.

Usage: python tests/sql/check.py DIR. Exit status 0 when every case holds, 1 otherwise.
"""

import json
import re
import sys
import time
from pathlib import Path

import duckdb
import sqlglot

# Lake takes the event data store ID bare after FROM, hyphens and all, which Trino's grammar does not; for
# parsing, it stands in as a plain identifier.
LAKE_ID = re.compile(r"\bFROM ([A-Za-z0-9]+(?:-[A-Za-z0-9]+)+)")


def parse_trino(sql, what):
    """None when `sql` parses as one Trino statement, else the parser's message."""
    try:
        statements = sqlglot.parse(sql, read="trino")
    except sqlglot.errors.SqlglotError as error:
        return f"{what}: {error}"
    if len(statements) != 1 or statements[0] is None:
        return f"{what}: expected one statement, got {len(statements)}"
    return None


def run_duckdb(con, sql):
    """The event IDs the statement selects, repeats kept, so that a missing DISTINCT shows."""
    rows = con.execute(f"SELECT event_id FROM ({sql}) AS answer").fetchall()
    return [row[0] for row in rows]


def compare(label, want, got):
    """Problems when `got` (a list, maybe with repeats) is not the set `want`."""
    problems = []
    if len(got) != len(set(got)):
        repeated = sorted({i for i in got if got.count(i) > 1})
        problems.append(f"{label}: DuckDB returns some events twice: {repeated[:10]}")
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    if missing or extra:
        problems.append(
            f"{label}: {len(missing)} only in the core {missing[:20]}, {len(extra)} only in DuckDB {extra[:20]}"
        )
    return problems


def check_case(con, case, n_events, must_be_partial):
    problems = []
    for dialect in ("athena", "lake"):
        sql = case["sql"][dialect]
        if dialect == "lake":
            sql = LAKE_ID.sub("FROM eds", sql)
        problem = parse_trino(sql, dialect)
        if problem:
            problems.append(problem)
    try:
        got = run_duckdb(con, case["sql"]["duckdb"])
        got_all = run_duckdb(con, case["sql"]["duckdb_all"])
    except duckdb.Error as error:
        return [f"duckdb: {error}"], 0, 0
    problems += compare("Transcribe events", case["ids"], got)
    problems += compare("all events", case["ids_all"], got_all)
    if must_be_partial and not 0 < len(case["ids"]) < n_events:
        problems.append(f"matches {len(case['ids'])} of {n_events} Transcribe events: a query must match some, not all")
    return problems, len(got), len(got_all)


def main():
    if len(sys.argv) != 2:
        print("usage: check.py DIR (the output of the sql_cases example)", file=sys.stderr)
        return 2
    path = Path(sys.argv[1]) / "cases.json"
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        print(f"{path}: {error} (write it with the sql_cases example first)", file=sys.stderr)
        return 2
    con = duckdb.connect()
    # CloudTrail's times carry their zone; this only matters for a time without one.
    con.execute("SET TimeZone = 'UTC'")
    started = time.monotonic()
    failures = 0
    try:
        sqlglot.parse_one(document["create_table"], read="athena")
    except sqlglot.errors.SqlglotError as error:
        print(f"FAIL create table: {error}")
        failures += 1
    groups = (("case", document["cases"], True), ("hostile", document["hostile"], False))
    for label, cases, must_be_partial in groups:
        for case in cases:
            begun = time.monotonic()
            problems, n, n_all = check_case(con, case, document["n_events"], must_be_partial)
            status = "FAIL" if problems else "ok  "
            print(
                f"{status} {label:7} {n:5} of {document['n_events']} Transcribe, {n_all:5} of "
                f"{document['n_events_all']} all, {time.monotonic() - begun:4.1f}s  {case['query']}"
            )
            for problem in problems:
                print(f"       {problem}")
            failures += bool(problems)
    total = len(document["cases"]) + len(document["hostile"])
    print(f"{total - failures} of {total} cases hold ({time.monotonic() - started:.0f}s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
