import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

// OpenTelemetry's own definitions (opentelemetry-proto v1.9.0, vendored in vendor/opentelemetry-proto):
// the exporter's bytes are decoded by the schema, not by a decoder written for the test.
const PROTO_ROOT = fileURLToPath(new URL("../../vendor/opentelemetry-proto/", import.meta.url));

function loadTraceRequestType(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => `${PROTO_ROOT}${target}`;
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: false });
  return root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
}

type AttributeValue = string | number | boolean | null;

/** One span as received, ids in lowercase hex (as in a W3C traceparent). */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** 0 unset, 1 ok, 2 error (opentelemetry.proto.trace.v1.Status.StatusCode). */
  readonly status: { readonly code: number; readonly message: string };
  readonly events: readonly {
    readonly name: string;
    readonly attributes: Readonly<Record<string, AttributeValue>>;
  }[];
  readonly resource: Readonly<Record<string, AttributeValue>>;
  readonly scope: string;
}

interface KeyValue {
  key: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: string; doubleValue?: number };
}

function attributes(list: KeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    out[key] =
      value?.stringValue ??
      value?.boolValue ??
      (value?.intValue !== undefined ? Number(value.intValue) : undefined) ??
      value?.doubleValue ??
      null;
  }
  return out;
}

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString("hex");

/**
 * An OTLP/HTTP trace receiver for tests: `POST /v1/traces` with `application/x-protobuf` bodies
 * (the SDK's default protocol), decoded with the opentelemetry-proto schema. Metrics pushes
 * (`/v1/metrics`) are accepted and counted.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  traceRequests = 0;
  metricRequests = 0;
  private readonly requestType = loadTraceRequestType();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      this.handle(req).then(
        (status) => res.writeHead(status, { "content-type": "application/x-protobuf" }).end(),
        (error: unknown) => res.writeHead(400).end(String(error)),
      );
    });
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver();
    receiver.server.listen(0, "127.0.0.1");
    await once(receiver.server, "listening");
    return receiver;
  }

  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the SDK appends /v1/traces). */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  spansNamed(name: string | RegExp): ReceivedSpan[] {
    return this.spans.filter((s) => (typeof name === "string" ? s.name === name : name.test(s.name)));
  }

  clear(): void {
    this.spans.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }

  private async handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.url === "/v1/metrics") {
      this.metricRequests++;
      return 200;
    }
    if (req.url !== "/v1/traces") return 404;
    if (!String(req.headers["content-type"]).includes("application/x-protobuf"))
      throw new Error(`expected application/x-protobuf, got ${req.headers["content-type"]}`);
    this.traceRequests++;
    const decoded = this.requestType.toObject(this.requestType.decode(body), {
      longs: String,
      defaults: false,
    }) as {
      resourceSpans?: {
        resource?: { attributes?: KeyValue[] };
        scopeSpans?: {
          scope?: { name?: string };
          spans?: {
            traceId?: Uint8Array;
            spanId?: Uint8Array;
            parentSpanId?: Uint8Array;
            name?: string;
            attributes?: KeyValue[];
            status?: { code?: number; message?: string };
            events?: { name?: string; attributes?: KeyValue[] }[];
          }[];
        }[];
      }[];
    };
    for (const rs of decoded.resourceSpans ?? []) {
      const resource = attributes(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          this.spans.push({
            traceId: hex(span.traceId),
            spanId: hex(span.spanId),
            parentSpanId: hex(span.parentSpanId),
            name: span.name ?? "",
            attributes: attributes(span.attributes),
            status: { code: span.status?.code ?? 0, message: span.status?.message ?? "" },
            events: (span.events ?? []).map((e) => ({
              name: e.name ?? "",
              attributes: attributes(e.attributes),
            })),
            resource,
            scope: ss.scope?.name ?? "",
          });
        }
      }
    }
    return 200;
  }
}
