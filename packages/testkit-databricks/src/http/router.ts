import type { IncomingMessage } from "node:http";
import { DatabricksApiError } from "./api-error.js";

/** What a route handler sees: the parsed request, the caller (when authenticated) and path params. */
export interface RequestContext {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingMessage["headers"];
  body: Buffer;
  /** Principal name of the authenticated caller; empty for public routes. */
  principal: string;
}

export interface RouteResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (ctx: RequestContext) => RouteResponse | Promise<RouteResponse>;

export interface Route {
  method: string;
  /** Path pattern: `:name` captures one segment, `*name` captures the rest (may contain '/'). */
  pattern: string;
  /** Public routes (OIDC discovery/token, admin) skip bearer-token authentication. */
  public?: boolean;
  handler: RouteHandler;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

/** A minimal method + path router; enough for a fixed REST surface and clear 404/405 answers. */
export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(route: Route): this {
    const names: string[] = [];
    const source = route.pattern
      .split("/")
      .map((segment) => {
        if (segment.startsWith(":")) {
          names.push(segment.slice(1));
          return "([^/]+)";
        }
        if (segment.startsWith("*")) {
          names.push(segment.slice(1));
          return "(.+)";
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({ ...route, names, regex: new RegExp(`^${source}$`) });
    return this;
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? "");
      });
      return { route, params };
    }
    if (pathMatched) {
      throw new DatabricksApiError(405, "BAD_REQUEST", `Method ${method} is not allowed for ${path}.`);
    }
    return undefined;
  }
}

export function json(body: unknown, status = 200, headers?: Record<string, string>): RouteResponse {
  return headers ? { status, body, headers } : { status, body };
}
