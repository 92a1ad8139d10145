import { json, type Router } from "../http/router.js";

export interface HostMetadata {
  baseUrl: () => string;
  workspaceId: string;
  accountId: string;
}

/**
 * `GET /.well-known/databricks-config`: the host metadata current Databricks SDKs read first
 * (databricks-sdk-py's `HostMetadata`). The SDK appends `/.well-known/oauth-authorization-server`
 * to `oidc_endpoint` to find the OAuth endpoints, so a workspace answers with its `/oidc` root;
 * a `workspace_id` marks the host as a workspace (not an account console). Public, like OIDC discovery.
 */
export function registerHostMetadataRoutes(router: Router, meta: HostMetadata): void {
  router.add({
    method: "GET",
    pattern: "/.well-known/databricks-config",
    public: true,
    handler: () =>
      json({
        oidc_endpoint: `${meta.baseUrl()}/oidc`,
        account_id: meta.accountId,
        workspace_id: meta.workspaceId,
        cloud: "aws",
      }),
  });
}
