"""DuckDB reference for the ingestion benchmark (scripts/bench.sh).

Runs the aggregation curtop performs while streaming a CUR — every line item's four metrics
(AWS's amortized CASE), grouped by day, account, service, usage type, resource, split parent
and the Kubernetes tag columns curtop's default mapping reads — over the same files, and prints one JSON line:
{"seconds": s, "rows": n, "groups": g, "amortized": total}.

usage: duckdb_ingest.py csv|parquet|cur2 FILE_GLOB THREADS

(parquet: the Athena layout, flat `resource_tags_*` columns; cur2: CUR 2.0, the `resource_tags` map.)
"""

import json
import sys
import time

import duckdb

kind, pattern, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])

# The tag keys curtop's default mapping reads (src/config/mapping.rs and the aws:eks:* keys of
# src/cur/attribution.rs): the same columns, so both do the same work. Absent ones read NULL.
TAG_KEYS = [
    "user:kubernetes_cluster", "user:kubernetes_namespace", "user:kubernetes_deployment",
    "user:kubernetes_daemonset", "user:kubernetes_statefulset", "user:kubernetes_pod",
    "user:kubernetes_container", "user:env", "user:environment", "user:stage",
    "user:kubernetes_label_env", "user:kubernetes_label_environment",
    "aws:eks:cluster-name", "user:eks:cluster-name", "aws:eks:namespace", "aws:eks:node",
    "aws:eks:workload-type", "aws:eks:workload-name", "aws:eks:deployment",
]

if kind == "csv":
    # Legacy CUR CSV: `category/Name` headers.
    c = lambda name: '"' + name + '"'
    src = f"read_csv('{pattern}', header=true, union_by_name=true)"
    col = {
        "type": c("lineItem/LineItemType"), "start": c("lineItem/UsageStartDate"),
        "account": c("lineItem/UsageAccountId"), "service": c("lineItem/ProductCode"),
        "usage": c("lineItem/UsageType"), "op": c("lineItem/Operation"),
        "resource": c("lineItem/ResourceId"), "parent": c("splitLineItem/ParentResourceId"),
        "unblended": c("lineItem/UnblendedCost"), "od": c("pricing/publicOnDemandCost"),
        "sp_eff": c("savingsPlan/SavingsPlanEffectiveCost"),
        "sp_total": c("savingsPlan/TotalCommitmentToDate"), "sp_used": c("savingsPlan/UsedCommitment"),
        "ri_eff": c("reservation/EffectiveCost"),
        "ri_unused_up": c("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"),
        "ri_unused_rec": c("reservation/UnusedRecurringFee"), "ri_arn": c("reservation/ReservationARN"),
        "split": c("splitLineItem/SplitCost"),
        "tags": [c("resourceTags/" + k) for k in TAG_KEYS],
    }
else:
    src = f"read_parquet('{pattern}', union_by_name=true)"
    col = {
        "type": "line_item_line_item_type", "start": "line_item_usage_start_date",
        "account": "line_item_usage_account_id", "service": "line_item_product_code",
        "usage": "line_item_usage_type", "op": "line_item_operation",
        "resource": "line_item_resource_id", "parent": "split_line_item_parent_resource_id",
        "unblended": "line_item_unblended_cost", "od": "pricing_public_on_demand_cost",
        "sp_eff": "savings_plan_savings_plan_effective_cost",
        "sp_total": "savings_plan_total_commitment_to_date", "sp_used": "savings_plan_used_commitment",
        "ri_eff": "reservation_effective_cost",
        "ri_unused_up": "reservation_unused_amortized_upfront_fee_for_billing_period",
        "ri_unused_rec": "reservation_unused_recurring_fee", "ri_arn": "reservation_reservation_a_r_n",
        "split": "split_line_item_split_cost",
        "tags": ["resource_tags_" + k.replace(":", "_").replace("-", "_") for k in TAG_KEYS],
    }
    if kind == "cur2":
        # CUR 2.0 keeps the tags in one map, keyed by the normalized tag name.
        col["tags"] = [f"resource_tags['{k.replace(':', '_').replace('-', '_')}']" for k in TAG_KEYS]

con = duckdb.connect()
con.execute(f"SET threads = {threads}")
# Columns absent from the files (a report without split data, say) read as NULL, as curtop
# treats them.
present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
for k, v in list(col.items()):
    fix = lambda x: x if x.strip('"').split("[")[0] in present else "NULL"
    col[k] = [fix(x) for x in v] if isinstance(v, list) else fix(v)

n = lambda x: f"coalesce(CAST({x} AS DOUBLE), 0)"
amortized = f"""CASE {col['type']}
  WHEN 'SavingsPlanCoveredUsage' THEN {n(col['sp_eff'])}
  WHEN 'SavingsPlanRecurringFee' THEN {n(col['sp_total'])} - {n(col['sp_used'])}
  WHEN 'SavingsPlanNegation' THEN 0
  WHEN 'SavingsPlanUpfrontFee' THEN 0
  WHEN 'DiscountedUsage' THEN {n(col['ri_eff'])}
  WHEN 'RIFee' THEN {n(col['ri_unused_up'])} + {n(col['ri_unused_rec'])}
  ELSE CASE WHEN {col['type']} = 'Fee' AND coalesce({col['ri_arn']}, '') <> '' THEN 0
            ELSE {n(col['unblended'])} END END"""
on_demand = f"CASE WHEN {col['type']} = 'SavingsPlanNegation' THEN 0 ELSE {n(col['od'])} END"
keys = [f"CAST({col['start']} AS DATE) AS day", col["account"], col["service"], col["usage"], col["op"],
        col["resource"], col["parent"]] + col["tags"]
sql = f"""
SELECT count(*) AS groups, sum(rows) AS rows, sum(amortized) AS amortized FROM (
  SELECT {', '.join(keys)}, count(*) AS rows,
         sum({n(col['unblended'])}) AS unblended, sum({amortized}) AS amortized,
         sum({on_demand}) AS on_demand, sum({n(col['split'])}) AS split
  FROM {src}
  GROUP BY ALL)
"""

t0 = time.perf_counter()
groups, rows, total = con.execute(sql).fetchone()
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "rows": rows, "groups": groups, "amortized": total}))
