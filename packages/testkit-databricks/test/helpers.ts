import { DBSQLClient, DBSQLLogger, LogLevel } from "@databricks/sql";
import type { WorkspaceEmulator } from "../src/index.js";

/** OAuth M2M done the way the connector does it: plain HTTPS POST with Basic credentials. */
export async function fetchM2MToken(
  ws: WorkspaceEmulator,
  clientId: string,
  clientSecret: string,
): Promise<Response> {
  return (await ws.fetch(`${ws.url}/oidc/v1/token`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials&scope=all-apis",
  })) as unknown as Response;
}

export async function accessToken(ws: WorkspaceEmulator, principal?: string): Promise<string> {
  const p = principal ? ws.principals[principal] : undefined;
  const res = await fetchM2MToken(
    ws,
    p?.clientId ?? ws.credentials.clientId,
    p?.clientSecret ?? ws.credentials.clientSecret,
  );
  if (res.status !== 200) throw new Error(`token request failed: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A real @databricks/sql client connected to the emulator (quiet logger, no telemetry). */
export async function connectDriver(ws: WorkspaceEmulator, token: string): Promise<DBSQLClient> {
  const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
  await client.connect({
    host: ws.hostname,
    port: ws.port,
    path: ws.httpPath,
    token,
    customCaCert: ws.caPem,
    telemetryEnabled: false,
    retryMaxAttempts: 1,
  });
  return client;
}

export async function restGet(ws: WorkspaceEmulator, path: string, token: string) {
  const res = await ws.fetch(`${ws.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
