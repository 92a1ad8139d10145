import { badRequest, notFound, permissionDenied } from "../http/api-error.js";
import { type PageOptions, paginate } from "../http/pagination.js";
import { json, type RequestContext, type Router } from "../http/router.js";
import type { Grants } from "../permissions/grants.js";
import type { Metastore } from "./metastore.js";

const BASE = "/api/2.1/unity-catalog";

/** Unity Catalog REST 2.1: catalogs, schemas, tables, registered models and versions. */
export function registerUnityCatalogRoutes(
  router: Router,
  metastore: Metastore,
  grants: Grants,
  pages: () => PageOptions,
): void {
  const requireCatalog = (ctx: RequestContext, catalog: string) => {
    if (!metastore.getCatalog(catalog)) {
      throw notFound("CATALOG_DOES_NOT_EXIST", `Catalog '${catalog}' does not exist.`);
    }
    const denial = grants.missingFor(ctx.principal, catalog);
    if (denial) throw permissionDenied(denial);
  };
  const requireSchema = (ctx: RequestContext, catalog: string, schema: string) => {
    requireCatalog(ctx, catalog);
    if (!metastore.getSchema(catalog, schema)) {
      throw notFound("SCHEMA_DOES_NOT_EXIST", `Schema '${catalog}.${schema}' does not exist.`);
    }
    const denial = grants.missingFor(ctx.principal, catalog, schema);
    if (denial) throw permissionDenied(denial);
  };
  const required = (ctx: RequestContext, name: string): string => {
    const value = ctx.query.get(name);
    if (!value) throw badRequest(`Missing required field: ${name}`);
    return value;
  };
  const splitFullName = (fullName: string, what: string): [string, string, string] => {
    const parts = fullName.split(".");
    if (parts.length !== 3 || parts.some((p) => !p)) {
      throw badRequest(`Invalid ${what} full name '${fullName}': expected catalog.schema.name.`);
    }
    return parts as [string, string, string];
  };

  router.add({
    method: "GET",
    pattern: `${BASE}/catalogs`,
    handler: (ctx) => {
      // Unity Catalog lists the catalogs the caller can use.
      const visible = metastore
        .listCatalogs()
        .filter((c) => grants.has(ctx.principal, "USE CATALOG", c.name));
      const { page, nextPageToken } = paginate(visible, ctx.query, pages());
      return json({ catalogs: page, ...(nextPageToken ? { next_page_token: nextPageToken } : {}) });
    },
  });
  router.add({
    method: "GET",
    pattern: `${BASE}/catalogs/:name`,
    handler: (ctx) => {
      const name = ctx.params.name ?? "";
      requireCatalog(ctx, name);
      return json(metastore.getCatalog(name));
    },
  });
  router.add({
    method: "GET",
    pattern: `${BASE}/schemas`,
    handler: (ctx) => {
      const catalog = required(ctx, "catalog_name");
      requireCatalog(ctx, catalog);
      const { page, nextPageToken } = paginate(metastore.listSchemas(catalog), ctx.query, pages());
      return json({ schemas: page, ...(nextPageToken ? { next_page_token: nextPageToken } : {}) });
    },
  });
  router.add({
    method: "GET",
    pattern: `${BASE}/schemas/:fullName`,
    handler: (ctx) => {
      const [catalog, schema] = (ctx.params.fullName ?? "").split(".");
      if (!catalog || !schema) throw badRequest(`Invalid schema full name '${ctx.params.fullName}'.`);
      requireSchema(ctx, catalog, schema);
      return json(metastore.getSchema(catalog, schema));
    },
  });
  router.add({
    method: "GET",
    pattern: `${BASE}/tables`,
    handler: (ctx) => {
      const catalog = required(ctx, "catalog_name");
      const schema = required(ctx, "schema_name");
      requireSchema(ctx, catalog, schema);
      const omitColumns = ctx.query.get("omit_columns") === "true";
      const omitProperties = ctx.query.get("omit_properties") === "true";
      const tables = metastore.listTables(catalog, schema).map((t) => {
        const { columns, properties, ...rest } = t;
        return { ...rest, ...(omitColumns ? {} : { columns }), ...(omitProperties ? {} : { properties }) };
      });
      const { page, nextPageToken } = paginate(tables, ctx.query, pages());
      return json({ tables: page, ...(nextPageToken ? { next_page_token: nextPageToken } : {}) });
    },
  });
  router.add({
    method: "GET",
    pattern: `${BASE}/tables/:fullName`,
    handler: (ctx) => {
      const fullName = ctx.params.fullName ?? "";
      const [catalog, schema, table] = splitFullName(fullName, "table");
      requireSchema(ctx, catalog, schema);
      const info = metastore.getTable(fullName);
      if (!info) throw notFound("TABLE_DOES_NOT_EXIST", `Table '${fullName}' does not exist.`);
      const denial = grants.missingFor(ctx.principal, catalog, schema, table);
      if (denial) throw permissionDenied(denial);
      return json(info);
    },
  });
  router.add({
    method: "GET",
    pattern: `${BASE}/models`,
    handler: (ctx) => {
      const catalog = ctx.query.get("catalog_name") ?? undefined;
      const schema = ctx.query.get("schema_name") ?? undefined;
      if (schema && !catalog) throw badRequest("catalog_name is required when schema_name is given.");
      if (catalog && schema) requireSchema(ctx, catalog, schema);
      else if (catalog) requireCatalog(ctx, catalog);
      const models = metastore
        .listModels(catalog, schema)
        .filter((m) => !grants.missingFor(ctx.principal, m.catalog_name, m.schema_name))
        .map(({ aliases: _aliases, ...rest }) => rest);
      const { page, nextPageToken } = paginate(models, ctx.query, pages());
      return json({ registered_models: page, ...(nextPageToken ? { next_page_token: nextPageToken } : {}) });
    },
  });
  router.add({
    method: "GET",
    pattern: `${BASE}/models/:fullName/versions`,
    handler: (ctx) => {
      const fullName = ctx.params.fullName ?? "";
      const [catalog, schema] = splitFullName(fullName, "model");
      requireSchema(ctx, catalog, schema);
      if (!metastore.getModel(fullName)) {
        throw notFound("RESOURCE_DOES_NOT_EXIST", `Registered model '${fullName}' does not exist.`);
      }
      const { page, nextPageToken } = paginate(metastore.listModelVersions(fullName), ctx.query, pages());
      return json({ model_versions: page, ...(nextPageToken ? { next_page_token: nextPageToken } : {}) });
    },
  });
  router.add({
    method: "GET",
    pattern: `${BASE}/models/:fullName`,
    handler: (ctx) => {
      const fullName = ctx.params.fullName ?? "";
      const [catalog, schema] = splitFullName(fullName, "model");
      requireSchema(ctx, catalog, schema);
      const model = metastore.getModel(fullName);
      if (!model) throw notFound("RESOURCE_DOES_NOT_EXIST", `Registered model '${fullName}' does not exist.`);
      if (ctx.query.get("include_aliases") === "true") return json(model);
      const { aliases: _aliases, ...rest } = model;
      return json(rest);
    },
  });
}
