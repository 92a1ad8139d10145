"""Drives the workspace emulator with Databricks' official Python packages, unchanged.

Run by official-clients.test.ts inside a venv with pinned databricks-sdk and
databricks-sql-connector. Configuration comes from the environment the way users give it
(DATABRICKS_HOST, DATABRICKS_CLIENT_ID/SECRET, REQUESTS_CA_BUNDLE); nothing here knows it talks to
an emulator. Prints one JSON document of what the clients saw, for the test to assert on.
"""

import datetime
import json
import os
import sys
from urllib.parse import urlparse

from databricks import sql
from databricks.sdk import WorkspaceClient
from databricks.sdk.core import Config, oauth_service_principal


def sdk_checks(w: WorkspaceClient, experiment_ids):
    out = {
        "auth_type": w.config.auth_type,
        # Filled from /.well-known/databricks-config: proof the SDK read the host metadata.
        "discovery_url": w.config.discovery_url,
        "workspace_id": w.config.workspace_id,
        "catalogs": [c.name for c in w.catalogs.list()],
        "schemas": [s.name for s in w.schemas.list(catalog_name="workspace")],
    }
    tables = list(w.tables.list(catalog_name="workspace", schema_name="default"))
    out["tables"] = sorted(t.full_name for t in tables)
    first = w.tables.get(out["tables"][0])
    out["table_get"] = {
        "full_name": first.full_name,
        "table_type": first.table_type.value if first.table_type else None,
        "columns": [c.name for c in (first.columns or [])],
        "type_names": [c.type_name.value if c.type_name else None for c in (first.columns or [])],
    }
    out["endpoints"] = sorted(e.name for e in w.serving_endpoints.list())
    endpoint = w.serving_endpoints.get(out["endpoints"][0])
    out["endpoint_get"] = {"name": endpoint.name, "task": endpoint.task}
    out["warehouses"] = [
        {"id": wh.id, "state": wh.state.value if wh.state else None, "path": wh.odbc_params.path if wh.odbc_params else None}
        for wh in w.warehouses.list()
    ]
    # MLflow 3 traces: the SDK has no typed API for them; its authenticated client calls the REST API.
    traces, token, pages = [], None, 0
    while True:
        body = {
            "locations": [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": e}} for e in experiment_ids],
            "max_results": 7,
        }
        if token:
            body["page_token"] = token
        page = w.api_client.do("POST", "/api/3.0/mlflow/traces/search", body=body)
        pages += 1
        traces.extend(page.get("traces", []))
        token = page.get("next_page_token")
        if not token:
            break
    out["traces"] = {"count": len(traces), "pages": pages, "ids": sorted(t["trace_id"] for t in traces)}
    one = w.api_client.do("GET", f"/api/3.0/mlflow/traces/{traces[0]['trace_id']}")
    out["trace_get"] = one["trace"]["trace_info"]["trace_id"] == traces[0]["trace_id"]
    return out


def sql_checks(host: str, http_path: str, cfg: Config, ca_file: str):
    url = urlparse(host)
    connection = sql.connect(
        server_hostname=url.hostname,
        _port=url.port,
        http_path=http_path,
        credentials_provider=lambda: oauth_service_principal(cfg),
        _tls_trusted_ca_file=ca_file,
        enable_telemetry=False,
    )
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST(:n AS INT) + 1 AS n1, :s AS s, CAST('2026-01-02 03:04:05.678' AS TIMESTAMP) AS ts, "
            "CAST(12.345 AS DECIMAL(10,3)) AS dec, MAP {'k': 'v'} AS m, ['a', 'b'] AS arr",
            {"n": 41, "s": "hello"},
        )
        row = cursor.fetchone()
        out["params_row"] = {
            "n1": row.n1,
            "s": row.s,
            "ts": row.ts.replace(tzinfo=None).isoformat() if isinstance(row.ts, datetime.datetime) else str(row.ts),
            "dec": str(row.dec),
            "m": dict(row.m) if row.m is not None else None,
            "arr": list(row.arr) if row.arr is not None else None,
        }
        out["description"] = [(d[0], d[1]) for d in cursor.description]

        table = os.environ["ORACLE_TABLE"]
        window_start = datetime.datetime.fromtimestamp(int(os.environ["ORACLE_WINDOW_START_MS"]) / 1000, datetime.timezone.utc)
        cursor.execute(
            f"SELECT count(*) AS n FROM {table} WHERE request_time >= :since",
            {"since": window_start.replace(tzinfo=None)},
        )
        out["window_count"] = cursor.fetchone().n

        cursor.catalogs()
        out["meta_catalogs"] = sorted(r[0] for r in cursor.fetchall())
        cursor.schemas(catalog_name="workspace")
        out["meta_schemas"] = sorted(r[0] for r in cursor.fetchall())
        cursor.tables(catalog_name="workspace", schema_name="default")
        out["meta_tables"] = sorted(r[2] for r in cursor.fetchall())
        cursor.columns(catalog_name="workspace", schema_name="default", table_name=table.split(".")[-1])
        out["meta_columns"] = [r[3] for r in cursor.fetchall()]

        # Large enough for the warehouse to answer with cloud-fetch links (the test lowers the threshold).
        cursor.execute("SELECT i AS id, repeat('x', 200) AS body FROM range(30000) r(i)")
        ids = [r.id for r in cursor.fetchall()]
        out["big"] = {"count": len(ids), "ordered": ids == list(range(30000))}
    connection.close()
    return out


def main():
    host = os.environ["DATABRICKS_HOST"]
    experiment_ids = json.loads(os.environ["ORACLE_EXPERIMENT_IDS"])
    w = WorkspaceClient()  # host, client id/secret from the environment; default settings otherwise
    result = {"sdk": sdk_checks(w, experiment_ids)}
    cfg = Config(host=host, client_id=os.environ["DATABRICKS_CLIENT_ID"], client_secret=os.environ["DATABRICKS_CLIENT_SECRET"])
    result["sql"] = sql_checks(host, os.environ["ORACLE_HTTP_PATH"], cfg, os.environ["REQUESTS_CA_BUNDLE"])
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
