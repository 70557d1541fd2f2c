"""moto's server (S3, STS, IAM, Athena, ...) for curtop's tests, with two things Athena does
that moto's Athena does not:

- GetQueryResults pages: at most MaxResults rows per call and a NextToken for the rest, as
  Athena returns them (moto returns every row at once);
- a query's outcome: a result injected through moto's /moto-api/static/athena/query-results
  whose first column is named "__curtop_outcome__" holds STATE, REASON in its data row. The
  query then reports that state with that StateChangeReason (FAILED, CANCELLED), or stays
  RUNNING until StopQueryExecution cancels it;
- GetTableMetadata, answered from moto's Glue catalog as Athena answers it for the
  AwsDataCatalog: the table's columns, partition keys and Parameters, with "location" set to
  its StorageDescriptor.Location (MetadataException when the table is not there).

Everything else is moto as installed. Usage: python moto_server.py -H 127.0.0.1 -p PORT
"""
import json
import sys

from moto.athena import responses
from moto.glue.models import glue_backends
from moto.server import main

OUTCOME = "__curtop_outcome__"

_get_query_results = responses.AthenaResponse.get_query_results
_get_query_execution = responses.AthenaResponse.get_query_execution


def get_query_results(self):
    body = json.loads(_get_query_results(self))
    rows = body["ResultSet"]["Rows"]
    start = int(self._get_param("NextToken") or 0)
    size = int(self._get_param("MaxResults") or 1000)
    body["ResultSet"]["Rows"] = rows[start : start + size]
    if start + size < len(rows):
        body["NextToken"] = str(start + size)
    return json.dumps(body)


def get_query_execution(self):
    body = json.loads(_get_query_execution(self))
    exec_id = self._get_param("QueryExecutionId")
    backend = self.athena_backend
    result = backend.query_results.get(exec_id)
    if result and result.column_info and result.column_info[0].get("Name") == OUTCOME:
        # The last row: the first is the header, as in every Athena result.
        cells = [d.get("VarCharValue") for d in result.rows[-1]["Data"]]
        state = cells[0]
        reason = cells[1] if len(cells) > 1 else None
        if state == "RUNNING" and backend.executions[exec_id].status == "CANCELLED":
            state, reason = "CANCELLED", "Query was cancelled by user"
        status = body["QueryExecution"]["Status"]
        status["State"] = state
        if reason:
            status["StateChangeReason"] = reason
    return json.dumps(body)


def get_table_metadata(self):
    database = self._get_param("DatabaseName")
    name = self._get_param("TableName")
    glue = glue_backends[self.current_account][self.region]
    try:
        table = glue.get_table(database, name).as_dict()
    except Exception:  # moto's EntityNotFound and kin: Athena says MetadataException
        body = {"__type": "MetadataException", "message": f"Table {name} not found"}
        return json.dumps(body), {"status": 400}
    sd = table.get("StorageDescriptor") or {}
    params = dict(table.get("Parameters") or {})
    if sd.get("Location"):
        params["location"] = sd["Location"]
    meta = {
        "Name": name,
        "TableType": table.get("TableType", "EXTERNAL_TABLE"),
        "Columns": sd.get("Columns", []),
        "PartitionKeys": table.get("PartitionKeys", []),
        "Parameters": params,
    }
    return json.dumps({"TableMetadata": meta})


responses.AthenaResponse.get_query_results = get_query_results
responses.AthenaResponse.get_table_metadata = get_table_metadata
responses.AthenaResponse.get_query_execution = get_query_execution

if __name__ == "__main__":
    main(sys.argv[1:])
