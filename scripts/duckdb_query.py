"""Runs SQL in DuckDB over a CUR written as Parquet with Athena's column names: the tests'
stand-in for Athena when checking what curtop's SQL means (tests/athena_sql.rs).

    duckdb_query.py DATABASE TABLE GLOB --schema OUT.csv   the table's columns and types
    duckdb_query.py DATABASE TABLE GLOB QUERY.sql OUT.csv  the query's rows, with a header

The files are exposed as the view "DATABASE"."TABLE", Hive partitions (year=/month=,
BILLING_PERIOD=) as string columns, as Athena's CUR tables have them. A GLOB ending in .csv
is read as CSV instead, every column as text and the literal NULL as null (how FOCUS samples
write nulls; tests/focus.rs), so the query decides how amounts are parsed.
"""
import sys

import duckdb


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def main():
    database, table, glob, what, out = sys.argv[1:6]
    con = duckdb.connect()
    con.execute(f"CREATE SCHEMA {quote(database)}")
    glob_literal = "'" + glob.replace("'", "''") + "'"
    if glob.endswith(".csv"):
        source = f"read_csv({glob_literal}, all_varchar = true, nullstr = 'NULL')"
    else:
        source = (
            f"read_parquet({glob_literal}, hive_partitioning = true, "
            "hive_types_autocast = false)"
        )
    con.execute(f"CREATE VIEW {quote(database)}.{quote(table)} AS SELECT * FROM {source}")
    if what == "--schema":
        rel = con.sql(
            "SELECT column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema = '{database}' AND table_name = '{table}' "
            "ORDER BY ordinal_position"
        )
    else:
        with open(what, encoding="utf-8") as f:
            rel = con.sql(f.read())
    rel.write_csv(out, header=True)


if __name__ == "__main__":
    main()
