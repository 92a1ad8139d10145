import { NoRunningWarehouseError } from "../errors/errors.js";
import type { DatabricksRestClient } from "../http/rest-client.js";

export interface WarehouseTarget {
  readonly id: string | undefined;
  readonly httpPath: string;
  readonly name?: string;
}

interface WarehouseInfo {
  id: string;
  name?: string;
  state?: string;
  odbc_params?: { path?: string };
}

/**
 * The configured warehouse (id or HTTP path) wins; otherwise the first RUNNING warehouse the
 * service principal can see. A STARTING one is not used: queries would block on its start-up.
 */
export async function resolveWarehouse(
  rest: DatabricksRestClient,
  hostLabel: string,
  configured: { warehouseId?: string; httpPath?: string },
  signal?: AbortSignal,
): Promise<WarehouseTarget> {
  if (configured.httpPath) {
    return { id: configured.warehouseId, httpPath: configured.httpPath };
  }
  if (configured.warehouseId) {
    return { id: configured.warehouseId, httpPath: `/sql/1.0/warehouses/${configured.warehouseId}` };
  }
  const { warehouses = [] } = await rest.get<{ warehouses?: WarehouseInfo[] }>(
    "/api/2.0/sql/warehouses",
    {},
    signal,
  );
  const running = warehouses.find((w) => w.state === "RUNNING");
  if (!running) {
    throw new NoRunningWarehouseError(
      hostLabel,
      warehouses.map((w) => ({ name: w.name ?? w.id, state: w.state ?? "UNKNOWN" })),
    );
  }
  return {
    id: running.id,
    httpPath: running.odbc_params?.path ?? `/sql/1.0/warehouses/${running.id}`,
    name: running.name,
  };
}
