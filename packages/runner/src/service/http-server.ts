import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { HealthStatus } from "@pipekit/core/advanced";

/** Each component's health, keyed by component id ("source", a sink id…). */
export type Readiness = () => Promise<Readonly<Record<string, HealthStatus>>>;

export interface HttpEndpointsOptions {
  readonly port: number;
  readonly host?: string;
  readonly readiness: Readiness;
  readonly metrics: (request: IncomingMessage, response: ServerResponse) => void;
  /** A health check slower than this counts as not ready (default 5 s). */
  readonly readinessTimeoutMs?: number;
}

/**
 * `/healthz`: the process is alive and serving. `/readyz`: every component reports healthy (503 with
 * each component's detail if not). `/metrics`: Prometheus text format.
 */
export class HttpEndpoints {
  private server: Server | undefined;

  constructor(private readonly options: HttpEndpointsOptions) {}

  async start(): Promise<{ port: number }> {
    const server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        if (!response.headersSent) json(response, 500, { status: "error", detail: (error as Error).message });
        else response.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return { port: (server.address() as AddressInfo).port };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") {
      json(response, 405, { status: "error", detail: "only GET" });
    } else if (path === "/healthz") {
      json(response, 200, { status: "ok" });
    } else if (path === "/readyz") {
      const components = await this.checkAll();
      const ready = Object.values(components).every((c) => c.ok);
      json(response, ready ? 200 : 503, { status: ready ? "ready" : "not ready", components });
    } else if (path === "/metrics") {
      this.options.metrics(request, response);
    } else {
      json(response, 404, { status: "error", detail: `no route ${path}; try /healthz, /readyz, /metrics` });
    }
  }

  private async checkAll(): Promise<Record<string, HealthStatus>> {
    const timeoutMs = this.options.readinessTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`health checks took longer than ${timeoutMs}ms`)), timeoutMs);
    });
    try {
      return { ...(await Promise.race([this.options.readiness(), timeout])) };
    } catch (error) {
      return { runner: { ok: false, detail: (error as Error).message } };
    } finally {
      clearTimeout(timer);
    }
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
