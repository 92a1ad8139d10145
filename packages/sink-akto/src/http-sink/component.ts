import { defineComponent } from "@pipekit/core";
import { aktoHttpSinkFromParsed } from "./akto-http-sink.js";
import { AKTO_BATCH_DEFAULTS, AKTO_HTTP_SECRET_FIELDS, aktoHttpSinkConfigSchema } from "./config.js";

/** Registry entry: `type: akto_http` in YAML, with `token` treated as a secret everywhere. */
export const aktoHttpSinkComponent = defineComponent({
  kind: "sink",
  type: "akto_http",
  description: "POSTs batches of Akto records to Akto's data ingestion service (/api/ingestData).",
  configSchema: aktoHttpSinkConfigSchema,
  secretFields: AKTO_HTTP_SECRET_FIELDS,
  // Akto's own connectors send 50 records per request; a pipeline file may still set its own.
  sinkDefaults: { batch: AKTO_BATCH_DEFAULTS },
  create: (config) => aktoHttpSinkFromParsed(config),
});
