import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkspaceEmulator, type WorkspaceEmulator } from "../src/index.js";

describe("host metadata (/.well-known/databricks-config)", () => {
  let ws: WorkspaceEmulator;
  beforeAll(async () => {
    ws = await startWorkspaceEmulator({ rowsPerTable: 10 });
  });
  afterAll(async () => {
    await ws?.close();
  });

  it("answers without a token with the workspace's OIDC root, ids and cloud, as the SDKs read it", async () => {
    const res = await ws.fetch(`${ws.url}/.well-known/databricks-config`);
    expect(res.status).toBe(200);
    const meta = (await res.json()) as Record<string, string>;
    expect(meta).toEqual({
      oidc_endpoint: `${ws.url}/oidc`,
      account_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      workspace_id: expect.stringMatching(/^\d+$/),
      cloud: "aws",
    });
    // The SDK appends the well-known path to oidc_endpoint: that document must exist.
    const discovery = await ws.fetch(`${meta.oidc_endpoint}/.well-known/oauth-authorization-server`);
    expect(discovery.status).toBe(200);
    expect(((await discovery.json()) as { token_endpoint: string }).token_endpoint).toBe(
      `${ws.url}/oidc/v1/token`,
    );
  });
});
