import { notFound } from "../http/api-error.js";
import { json, type Router } from "../http/router.js";

/** `GET /api/2.0/serving-endpoints` (no paging, as in Databricks) and by name. */
export function registerServingRoutes(
  router: Router,
  endpoints: () => readonly Record<string, unknown>[],
): void {
  router.add({
    method: "GET",
    pattern: "/api/2.0/serving-endpoints",
    handler: () => json({ endpoints: endpoints() }),
  });
  router.add({
    method: "GET",
    pattern: "/api/2.0/serving-endpoints/:name",
    handler: (ctx) => {
      const endpoint = endpoints().find((e) => e.name === ctx.params.name);
      if (!endpoint) {
        throw notFound(
          "RESOURCE_DOES_NOT_EXIST",
          `Serving endpoint with name '${ctx.params.name}' does not exist.`,
        );
      }
      return json(endpoint);
    },
  });
}
