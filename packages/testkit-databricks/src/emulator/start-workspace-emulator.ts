import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerHostMetadataRoutes } from "../auth/host-metadata-routes.js";
import { registerOAuthRoutes } from "../auth/oauth-routes.js";
import { PRINCIPALS, type Principal } from "../auth/principals.js";
import { TokenService } from "../auth/token-service.js";
import { Metastore, stableUuid } from "../catalog/metastore.js";
import { registerUnityCatalogRoutes } from "../catalog/unity-catalog-routes.js";
import { FaultInjector, httpError } from "../faults/faults.js";
import { DatabricksApiError } from "../http/api-error.js";
import { type RequestContext, Router } from "../http/router.js";
import { experimentManifest, insertLateTraces } from "../mlflow/experiment-manifest.js";
import { registerTraceRoutes, seedTraces } from "../mlflow/traces.js";
import { Grants } from "../permissions/grants.js";
import { WorkspaceSeeder } from "../seed/seed-workspace.js";
import { endpointInfo } from "../serving/serving-endpoints.js";
import { registerServingRoutes } from "../serving/serving-routes.js";
import { DuckDbEngine } from "../sql/duckdb-engine.js";
import { RESULT_FORMATS, ResultDelivery } from "../sql/result-delivery.js";
import { RESULT_FILES_PATH, ResultLinks } from "../sql/result-links.js";
import { processThriftRequest } from "../sql/thrift-service.js";
import { translateSql } from "../sql/translate.js";
import { SqlWarehouse, type WarehouseControls } from "../sql/warehouse.js";
import { createTlsMaterial } from "../tls/certificate-authority.js";
import { createTrustingFetch } from "../tls/trusting-fetch.js";
import { registerWarehouseRoutes } from "../warehouses/warehouse-routes.js";
import { registerAdminRoutes } from "./admin-routes.js";
import type { WorkspaceEmulator, WorkspaceEmulatorOptions } from "./workspace-emulator.js";

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const THRIFT_PATH = /^\/sql\/1\.0\/warehouses\/([^/]+)$/;

/**
 * Starts a local Databricks workspace: HTTPS on 127.0.0.1 with a fresh CA, OAuth M2M and PATs,
 * Unity Catalog / serving-endpoint / warehouse / MLflow REST, and a Thrift SQL warehouse on an
 * embedded DuckDB, seeded with deterministic agent traffic.
 */
export async function startWorkspaceEmulator(
  options: WorkspaceEmulatorOptions = {},
): Promise<WorkspaceEmulator> {
  const seed = options.seed ?? 42;
  const now = options.now ?? Date.now();
  const catalog = (options.catalog ?? "workspace").toLowerCase();
  const schema = (options.schema ?? "default").toLowerCase();
  const rowsPerTable = options.rowsPerTable ?? 200;
  if (!Number.isInteger(rowsPerTable) || rowsPerTable < 0 || rowsPerTable > 1_000_000) {
    throw new Error(`rowsPerTable must be an integer in 0…1,000,000, got ${rowsPerTable}`);
  }
  const windowMinutes = options.windowMinutes ?? 60;
  const pageOptions = { pageSize: options.pageSize ?? 50, emptyPageBeforeLast: options.emptyPages ?? true };
  if (!Number.isInteger(pageOptions.pageSize) || pageOptions.pageSize < 1) {
    throw new Error(`pageSize must be a positive integer, got ${options.pageSize}`);
  }

  // Key generation (thread pool) overlaps with DuckDB start-up and seeding.
  const tlsPromise = createTlsMaterial(["localhost"]);
  const engine = await DuckDbEngine.create();
  const cleanup: (() => Promise<void> | void)[] = [() => engine.close()];
  try {
    const metastore = new Metastore(engine, now - 7 * 24 * 3_600_000);
    const seeder = new WorkspaceSeeder(engine, metastore, {
      seed,
      catalog,
      schema,
      agentsPerTask: options.agents ?? 2,
      rowsPerTable,
      now,
      windowMinutes,
      manifestRowLimit: options.manifestRowLimit ?? 50_000,
      ...(options.surfaces ? { surfaces: options.surfaces } : {}),
      ...(options.tracesPerTable !== undefined ? { tracesPerTable: options.tracesPerTable } : {}),
    });
    const manifest = await seeder.seed();
    const traces = seedTraces(seed, manifest.agents, options.tracesPerAgent ?? 20, now, windowMinutes);
    if (options.surfaces?.includes("experiment-traces"))
      manifest.experimentTraces = experimentManifest(traces);

    const grants = new Grants();
    const principals = makePrincipals(seed);
    grantDefaults(grants, catalog, schema);

    const controls: WarehouseControls = { sqlLatencyMs: 0, state: "RUNNING" };
    const warehouseId = stableUuid(`warehouse:${seed}`).replace(/-/g, "").slice(0, 16);
    const warehouse = new SqlWarehouse(warehouseId, engine, metastore, grants, controls, { catalog, schema });
    const faults = new FaultInjector(controls);
    const resultLinks = new ResultLinks(() => baseUrl, options.cloudFetchLinkTtlMs ?? 15 * 60_000);
    const delivery = new ResultDelivery({
      format: resultFormatOf(options.resultFormat),
      links: resultLinks,
      cloudFetchThresholdBytes: options.cloudFetchThresholdBytes ?? 8 * 2 ** 20,
      cloudFetchFileBytes: options.cloudFetchFileBytes ?? 4 * 2 ** 20,
      takeExpiredLink: () => faults.takeExpiredResultLink(),
      stats: warehouse.stats.resultEncodings,
    });

    const tls = await tlsPromise;
    const router = new Router();
    const sockets = new Set<Socket>();
    const timers = new Set<NodeJS.Timeout>();
    let baseUrl = "";
    let port = 0;
    const tokens = new TokenService("", options.tokenTtlSeconds ?? 3600);
    for (const p of Object.values(principals)) tokens.addPrincipal(p);

    const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      handle(req, res).catch((error: unknown) => sendError(res, internal(error)));
    });
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    // A client that gives up mid-handshake must not crash the emulator.
    server.on("tlsClientError", () => {});

    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      });

    async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const url = new URL(req.url ?? "/", baseUrl);
      const path = url.pathname;
      const method = req.method ?? "GET";
      const body = await readBody(req);

      if (!path.startsWith("/__emulator/")) {
        for (const action of faults.actionsFor(path)) {
          if (action.kind === "delay") await sleep(action.ms);
          else if (action.kind === "reset") {
            req.socket.destroy();
            return;
          } else return sendError(res, action.error);
        }
      }

      if (path.startsWith(RESULT_FILES_PATH)) {
        // Presigned: the link is the credential, no token is checked (and none may be sent).
        const file = resultLinks.serve(path, method, headerOf(req, "authorization"));
        res.writeHead(file.status, file.headers);
        res.end(file.body);
        return;
      }

      const thrift = THRIFT_PATH.exec(path);
      if (thrift) {
        if (method !== "POST") return sendError(res, new DatabricksApiError(405, "BAD_REQUEST", "Use POST."));
        const principal = tokens.authenticate(headerOf(req, "authorization"));
        if (thrift[1] !== warehouseId) {
          return sendError(
            res,
            new DatabricksApiError(
              404,
              "RESOURCE_DOES_NOT_EXIST",
              `SQL warehouse ${thrift[1]} does not exist.`,
            ),
          );
        }
        if (controls.state !== "RUNNING") {
          return sendError(
            res,
            new DatabricksApiError(
              503,
              "TEMPORARILY_UNAVAILABLE",
              `The SQL warehouse ${warehouseId} is ${controls.state}. Start the warehouse and retry.`,
            ),
          );
        }
        const reply = await processThriftRequest(warehouse, { principal, delivery }, body);
        res.writeHead(200, { "Content-Type": "application/x-thrift", "Content-Length": reply.length });
        res.end(reply);
        return;
      }

      const matched = router.match(method, path);
      if (!matched) {
        throw new DatabricksApiError(404, "ENDPOINT_NOT_FOUND", `No API found for '${method} ${path}'`);
      }
      const ctx: RequestContext = {
        method,
        path,
        query: url.searchParams,
        params: matched.params,
        headers: req.headers,
        body,
        principal: matched.route.public ? "" : tokens.authenticate(headerOf(req, "authorization")),
      };
      const response = await matched.route.handler(ctx);
      const payload = Buffer.from(JSON.stringify(response.body));
      res.writeHead(response.status, {
        "Content-Type": "application/json",
        "Content-Length": payload.length,
        ...response.headers,
      });
      res.end(payload);
    }

    function sendError(res: ServerResponse, error: DatabricksApiError): void {
      if (res.headersSent || res.destroyed) return;
      const payload = Buffer.from(JSON.stringify(error.body()));
      res.writeHead(error.status, {
        "Content-Type": "application/json",
        "Content-Length": payload.length,
        ...error.headers,
      });
      res.end(payload);
    }

    const endpoints = manifest.agents.map((a) => endpointInfo(a, catalog, schema, now - 7 * 24 * 3_600_000));
    registerOAuthRoutes(router, tokens, () => baseUrl);
    registerHostMetadataRoutes(router, {
      baseUrl: () => baseUrl,
      workspaceId: String(1_000_000_000_000 + (seed % 1_000_000)),
      accountId: stableUuid(`account:${seed}`),
    });
    registerUnityCatalogRoutes(router, metastore, grants, () => pageOptions);
    registerServingRoutes(router, () => endpoints);
    registerWarehouseRoutes(router, () => ({
      id: warehouseId,
      name: "Emulator Serverless",
      host: "127.0.0.1",
      port,
      controls,
    }));
    registerTraceRoutes(
      router,
      () => traces,
      pageOptions.pageSize,
      () => baseUrl,
    );

    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          for (const t of timers) clearTimeout(t);
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        }),
    );
    const address = server.address();
    port = typeof address === "object" && address ? address.port : 0;
    baseUrl = `https://127.0.0.1:${port}`;
    tokens.issuer = `${baseUrl}/oidc`;

    const dir = await mkdtemp(join(tmpdir(), "pipekit-dbx-emulator-"));
    const caFile = join(dir, "ca.pem");
    await writeFile(caFile, tls.caPem, { mode: 0o600 });
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const trustingFetch = createTrustingFetch(tls.caPem);
    cleanup.push(() => trustingFetch.close());

    const connector = principals[PRINCIPALS.connector] as Principal;
    let closed = false;
    const emulator: WorkspaceEmulator = {
      url: baseUrl,
      host: `127.0.0.1:${port}`,
      hostname: "127.0.0.1",
      port,
      caPem: tls.caPem,
      caFile,
      warehouseId,
      httpPath: `/sql/1.0/warehouses/${warehouseId}`,
      credentials: { clientId: connector.clientId, clientSecret: connector.clientSecret, pat: connector.pat },
      principals,
      manifest,
      faults,
      grants,
      tokens,
      metastore,
      stats: warehouse.stats,
      resultLinks: resultLinks.stats,
      fetch: trustingFetch,
      insertLateRows: async (count, opts) =>
        opts?.table?.startsWith("mlflow-experiment:")
          ? insertLateTraces(traces, manifest, seed, count, { now, ...opts, table: opts.table })
          : seeder.insertLateRows(count, { now, ...opts }),
      sql: (query) => engine.query(translateSql(query).sql),
      close: async () => {
        if (closed) return;
        closed = true;
        await runCleanup(cleanup);
      },
    };
    registerAdminRoutes(router, () => emulator);
    return emulator;
  } catch (error) {
    await runCleanup(cleanup);
    throw error;
  }
}

async function runCleanup(steps: (() => Promise<void> | void)[]): Promise<void> {
  // Reverse order: sockets and server first, the engine last.
  for (const step of steps.reverse()) {
    try {
      await step();
    } catch {
      // Keep closing the rest: a half-closed emulator would leak handles.
    }
  }
  steps.length = 0;
}

function resultFormatOf(format: string | undefined) {
  const chosen = format ?? "auto";
  const known = RESULT_FORMATS.find((f) => f === chosen);
  if (!known) throw new Error(`resultFormat must be one of ${RESULT_FORMATS.join(", ")}, got "${chosen}"`);
  return known;
}

function makePrincipals(seed: number): Record<string, Principal> {
  const make = (name: string, displayName: string): Principal => ({
    name,
    displayName,
    clientId: stableUuid(`client:${seed}:${name}`),
    clientSecret: `dose${randomBytes(16).toString("hex")}`,
    pat: `dapi${randomBytes(16).toString("hex")}`,
  });
  return {
    "pipekit-admin": make("pipekit-admin", "Workspace admin"),
    [PRINCIPALS.connector]: make(PRINCIPALS.connector, "Akto connector service principal"),
    [PRINCIPALS.noSelect]: make(PRINCIPALS.noSelect, "Principal without SELECT"),
    [PRINCIPALS.noSchema]: make(PRINCIPALS.noSchema, "Principal without USE SCHEMA"),
    [PRINCIPALS.nobody]: make(PRINCIPALS.nobody, "Principal without grants"),
  };
}

function grantDefaults(grants: Grants, catalog: string, schema: string): void {
  for (const c of [catalog, "finance"]) grants.grant("pipekit-admin", "ALL PRIVILEGES", c);
  grants.grant(PRINCIPALS.connector, "USE CATALOG", catalog);
  grants.grant(PRINCIPALS.connector, "USE SCHEMA", `${catalog}.${schema}`);
  grants.grant(PRINCIPALS.connector, "SELECT", `${catalog}.${schema}`);
  grants.grant(PRINCIPALS.connector, "USE SCHEMA", `${catalog}.analytics`);
  grants.grant(PRINCIPALS.noSelect, "USE CATALOG", catalog);
  grants.grant(PRINCIPALS.noSelect, "USE SCHEMA", `${catalog}.${schema}`);
  grants.grant(PRINCIPALS.noSchema, "USE CATALOG", catalog);
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new DatabricksApiError(
            413,
            "REQUEST_LIMIT_EXCEEDED",
            `Request body exceeds ${MAX_BODY_BYTES} bytes.`,
          ),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function internal(error: unknown): DatabricksApiError {
  if (error instanceof DatabricksApiError) return error;
  const e = httpError(500);
  return new DatabricksApiError(
    500,
    e.errorCode,
    `Internal error: ${error instanceof Error ? error.message : String(error)}`,
  );
}
