import type { FaultSpec } from "../faults/faults.js";
import { badRequest } from "../http/api-error.js";
import { json, type Router } from "../http/router.js";
import type { Privilege } from "../permissions/grants.js";
import type { WorkspaceEmulator } from "./workspace-emulator.js";

/**
 * `/__emulator/*`: control of a running emulator from other processes (demo, benchmarks). Not part
 * of Databricks; unauthenticated because it listens on 127.0.0.1 only.
 */
export function registerAdminRoutes(router: Router, ws: () => WorkspaceEmulator): void {
  const body = (raw: Buffer): Record<string, unknown> => {
    if (raw.length === 0) return {};
    try {
      const parsed = JSON.parse(raw.toString("utf8")) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      return parsed as Record<string, unknown>;
    } catch {
      throw badRequest("Admin request body must be a JSON object.", "MALFORMED_REQUEST");
    }
  };
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw badRequest(error instanceof Error ? error.message : String(error));
    }
  };
  const add = (method: string, pattern: string, handler: Parameters<Router["add"]>[0]["handler"]) =>
    router.add({ method, pattern: `/__emulator${pattern}`, public: true, handler });

  add("GET", "/health", () => json({ ok: true, url: ws().url, warehouse_id: ws().warehouseId }));
  add("GET", "/manifest", () => json(ws().manifest));
  add("GET", "/stats", () => json(ws().stats));
  add("GET", "/faults", () => json({ faults: ws().faults.list() }));
  add("POST", "/faults", (ctx) =>
    json({ id: guard(() => ws().faults.inject(body(ctx.body) as unknown as FaultSpec)) }),
  );
  add("DELETE", "/faults", () => {
    ws().faults.clear();
    return json({});
  });
  add("DELETE", "/faults/:id", (ctx) => json({ removed: ws().faults.remove(ctx.params.id ?? "") }));
  add("POST", "/warehouse", (ctx) => {
    const b = body(ctx.body);
    if (b.state === "STOPPED") ws().faults.stopWarehouse();
    else if (b.state === "RUNNING") ws().faults.startWarehouse();
    else if (b.state !== undefined)
      throw badRequest(`state must be RUNNING or STOPPED, got ${String(b.state)}`);
    if (b.sql_latency_ms !== undefined) guard(() => ws().faults.setSqlLatency(Number(b.sql_latency_ms)));
    return json({ state: ws().faults.warehouse.state, sql_latency_ms: ws().faults.warehouse.sqlLatencyMs });
  });
  add("POST", "/tokens/revoke-all", () => {
    ws().tokens.revokeAll();
    return json({});
  });
  add("POST", "/tokens/ttl", (ctx) => {
    const seconds = Number(body(ctx.body).seconds);
    if (!Number.isInteger(seconds) || seconds < 1) throw badRequest("seconds must be a positive integer");
    ws().tokens.ttlSeconds = seconds;
    return json({ seconds });
  });
  add("POST", "/grants/:action", (ctx) => {
    const b = body(ctx.body);
    const principal = String(b.principal ?? "");
    const privilege = String(b.privilege ?? "") as Privilege;
    const securable = String(b.securable ?? "");
    if (!principal || !privilege || !securable)
      throw badRequest("principal, privilege and securable are required");
    if (ctx.params.action === "revoke")
      return json({ revoked: ws().grants.revoke(principal, privilege, securable) });
    if (ctx.params.action === "grant") {
      ws().grants.grant(principal, privilege, securable);
      return json({ granted: true });
    }
    throw badRequest(`Unknown grants action ${ctx.params.action}`);
  });
  add("POST", "/late-rows", async (ctx) => {
    const b = body(ctx.body);
    const count = Number(b.count ?? 1);
    if (!Number.isInteger(count) || count < 1) throw badRequest("count must be a positive integer");
    const rows = await ws().insertLateRows(count, {
      ...(typeof b.table === "string" ? { table: b.table } : {}),
      ...(typeof b.minutes_ago === "number" ? { minutesAgo: b.minutes_ago } : {}),
    });
    return json({ rows });
  });
}
