import { notFound } from "../http/api-error.js";
import { json, type Router } from "../http/router.js";
import type { WarehouseControls } from "../sql/warehouse.js";

export interface WarehouseDescription {
  id: string;
  name: string;
  host: string;
  port: number;
  controls: WarehouseControls;
}

function warehouseInfo(w: WarehouseDescription): Record<string, unknown> {
  return {
    id: w.id,
    name: w.name,
    cluster_size: "2X-Small",
    min_num_clusters: 1,
    max_num_clusters: 1,
    auto_stop_mins: 10,
    creator_name: "admins@example.com",
    state: w.controls.state,
    num_clusters: w.controls.state === "RUNNING" ? 1 : 0,
    num_active_sessions: 0,
    enable_serverless_compute: true,
    enable_photon: true,
    warehouse_type: "PRO",
    spot_instance_policy: "COST_OPTIMIZED",
    channel: { name: "CHANNEL_NAME_CURRENT" },
    jdbc_url: `jdbc:spark://${w.host}:${w.port}/default;transportMode=http;ssl=1;AuthMech=3;httpPath=/sql/1.0/warehouses/${w.id};`,
    odbc_params: { hostname: w.host, path: `/sql/1.0/warehouses/${w.id}`, protocol: "https", port: w.port },
    health: { status: w.controls.state === "RUNNING" ? "HEALTHY" : "STATUS_UNSPECIFIED" },
  };
}

export function registerWarehouseRoutes(router: Router, warehouse: () => WarehouseDescription): void {
  router.add({
    method: "GET",
    pattern: "/api/2.0/sql/warehouses",
    handler: () => json({ warehouses: [warehouseInfo(warehouse())] }),
  });
  router.add({
    method: "GET",
    pattern: "/api/2.0/sql/warehouses/:id",
    handler: (ctx) => {
      const w = warehouse();
      if (ctx.params.id !== w.id) {
        throw notFound("RESOURCE_DOES_NOT_EXIST", `SQL warehouse ${ctx.params.id} does not exist.`);
      }
      return json(warehouseInfo(w));
    },
  });
}
