"""Rewrites a generated Parquet delivery with another writer (scripts/bench.sh, and
tests/parquet_writers.rs): the same bill, the same folders, manifests and file names, every
`.parquet` file written by DuckDB or by pyarrow instead of curtop's generator. Real exports come
from writers curtop did not choose, with their own row groups, encodings and types.

usage: rewrite_parquet.py duckdb|pyarrow SRC_DIR DST_DIR [VARIANT]

VARIANT (default `default`: the writer's default settings, what the benchmark uses):
  plain         no dictionaries: every text column in plain pages
  fallback      dictionaries that overflow their size limit, so chunks fall back to plain pages
                (pyarrow: mid-chunk, in version 2 data pages; DuckDB: per chunk)
  small-groups  many small row groups (and, for pyarrow, small pages)
  empty-texts   every null text cell written as an empty string instead (the generator writes
                empty cells as nulls)
"""

import os
import shutil
import sys

writer, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
variant = sys.argv[4] if len(sys.argv) > 4 else "default"
VARIANTS = ("default", "plain", "fallback", "small-groups", "empty-texts")
if variant not in VARIANTS:
    sys.exit(f"unknown variant {variant!r}: one of {', '.join(VARIANTS)}")
if writer == "duckdb":
    import duckdb

    con = duckdb.connect()
elif writer == "pyarrow":
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
else:
    sys.exit(f"unknown writer {writer!r}: duckdb or pyarrow")


def q(p):
    return "'" + p.replace("'", "''") + "'"


def duckdb_copy(s, d):
    select = "*"
    if variant == "empty-texts":
        cols = con.execute(f"DESCRIBE SELECT * FROM read_parquet({q(s)})").fetchall()
        texts = [c for c, t, *_ in cols if t == "VARCHAR"]
        if texts:
            select = "* REPLACE (" + ", ".join(
                f"coalesce(\"{c}\", '') AS \"{c}\"" for c in texts) + ")"
    options = {
        "default": "",
        "empty-texts": "",
        # DuckDB writes a chunk's dictionary only while it stays under the limit.
        "plain": ", DICTIONARY_SIZE_LIMIT 1",
        "fallback": ", DICTIONARY_SIZE_LIMIT 2000",
        "small-groups": ", ROW_GROUP_SIZE 2048",
    }[variant]
    con.execute(
        f"COPY (SELECT {select} FROM read_parquet({q(s)})) TO {q(d)} (FORMAT parquet{options})")


def pyarrow_write(s, d):
    table = pq.read_table(s)
    if variant == "empty-texts":
        for i, field in enumerate(table.schema):
            if pa.types.is_string(field.type):
                table = table.set_column(i, field, pc.fill_null(table.column(i), ""))
    options = {
        "default": {},
        "empty-texts": {},
        "plain": {"use_dictionary": False},
        "fallback": {"dictionary_pagesize_limit": 256, "data_page_size": 512,
                     "data_page_version": "2.0"},
        "small-groups": {"row_group_size": 500, "data_page_size": 2048},
    }[variant]
    pq.write_table(table, d, **options)


shutil.rmtree(dst, ignore_errors=True)
for root, _, files in os.walk(src):
    out_dir = os.path.join(dst, os.path.relpath(root, src))
    os.makedirs(out_dir, exist_ok=True)
    for name in files:
        s, d = os.path.join(root, name), os.path.join(out_dir, name)
        if not name.endswith(".parquet"):
            shutil.copyfile(s, d)
        elif writer == "duckdb":
            duckdb_copy(s, d)
        else:
            pyarrow_write(s, d)
