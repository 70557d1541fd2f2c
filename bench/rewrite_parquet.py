"""Rewrites a generated Parquet delivery with another writer, at that writer's default settings
(scripts/bench.sh): the same bill, the same folders, manifests and file names, every `.parquet`
file written by DuckDB or by pyarrow instead of curtop's generator. Real exports come from
writers curtop did not choose, with their own row groups, encodings and types.

usage: rewrite_parquet.py duckdb|pyarrow SRC_DIR DST_DIR
"""

import os
import shutil
import sys

writer, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
if writer == "duckdb":
    import duckdb

    con = duckdb.connect()
elif writer == "pyarrow":
    import pyarrow.parquet as pq
else:
    sys.exit(f"unknown writer {writer!r}: duckdb or pyarrow")

shutil.rmtree(dst, ignore_errors=True)
for root, _, files in os.walk(src):
    out_dir = os.path.join(dst, os.path.relpath(root, src))
    os.makedirs(out_dir, exist_ok=True)
    for name in files:
        s, d = os.path.join(root, name), os.path.join(out_dir, name)
        if not name.endswith(".parquet"):
            shutil.copyfile(s, d)
        elif writer == "duckdb":
            q = lambda p: "'" + p.replace("'", "''") + "'"
            con.execute(f"COPY (SELECT * FROM read_parquet({q(s)})) TO {q(d)} (FORMAT parquet)")
        else:
            pq.write_table(pq.read_table(s), d)
