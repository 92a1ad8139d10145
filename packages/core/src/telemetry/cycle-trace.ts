import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { CycleReport } from "../engine/reports.js";

/**
 * The span of one cycle. Its context is the parent of the source's spans (discovery, table reads),
 * the transform stage summaries and every batch write, so one cycle is one trace. Nothing here runs
 * per message: without an SDK the tracer hands out non-recording spans and `context.with` just calls.
 */
export class CycleTrace {
  readonly span: Span;
  readonly context: Context;
  readonly startTime = Date.now();

  constructor(tracer: Tracer, pipelineId: string) {
    this.span = tracer.startSpan("pipeline cycle", { attributes: { "pipekit.pipeline.id": pipelineId } });
    this.context = trace.setSpan(context.active(), this.span);
  }

  /**
   * `tracer`, with this cycle as the default parent: a span started where no span is active (no
   * context manager is registered, or the call left the cycle's async context) is still the cycle's.
   */
  tracerFor(tracer: Tracer): Tracer {
    return new CycleTracer(tracer, this.context);
  }

  get recording(): boolean {
    return this.span.isRecording();
  }

  /** Runs `fn` with this cycle as the active span, for code that reads the active context (when an app registers a context manager). */
  within<T>(fn: () => Promise<T>): Promise<T> {
    return context.with(this.context, fn);
  }

  /** A finished cycle; records a destination could not take or a drain gave up on make it an error. */
  finished(report: CycleReport): void {
    const sent = Object.values(report.sent).reduce((a, b) => a + b, 0);
    const undelivered = Object.values(report.undelivered).reduce((a, b) => a + b, 0);
    this.span.setAttributes({
      "pipekit.cycle.received": report.received,
      "pipekit.cycle.sent": sent,
      "pipekit.cycle.dead_lettered": report.deadLettered,
      "pipekit.cycle.retries": report.retries,
      "pipekit.cycle.undelivered": undelivered,
      "pipekit.cycle.deadline_reached": report.deadlineReached,
      "pipekit.cycle.outcome": cycleOutcome(report),
    });
    if (undelivered > 0 || report.abandoned > 0)
      this.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: `${undelivered} record(s) undelivered, ${report.abandoned} abandoned`,
      });
    this.span.end();
  }

  failed(error: unknown): void {
    this.span.setAttribute("pipekit.cycle.outcome", failureReason(error));
    recordError(this.span, error);
    this.span.end();
  }

  /** One span per transform stage for the whole cycle: its counts, never one span per message. */
  stageSummary(tracer: Tracer, id: string, attributes: Attributes): void {
    if (!this.recording) return;
    tracer.startSpan(`transform ${id}`, { startTime: this.startTime, attributes }, this.context).end();
  }
}

/** ERROR status plus an exception event (type and message; components keep secrets out of messages). */
export function recordError(span: Span, error: unknown): void {
  const e = error instanceof Error ? error : new Error(String(error));
  span.recordException({ name: e.name, message: e.message });
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
}

/** success, undelivered (a destination was down), abandoned (a drain gave up) — for spans and metrics. */
export function cycleOutcome(report: CycleReport): "success" | "sink_unavailable" | "drain_timeout" {
  if (report.abandoned > 0) return "drain_timeout";
  if (Object.values(report.undelivered).some((n) => n > 0)) return "sink_unavailable";
  return "success";
}

/** Why a cycle threw: "fatal" (the pipeline stops) or "source_error" (the next cycle tries again). */
export function failureReason(error: unknown): "fatal" | "source_error" {
  return (error as Error)?.name === "FatalError" ? "fatal" : "source_error";
}

/** OTel's exception event, with the attempt it ended and how it was classified. */
export function attemptFailed(span: Span, error: unknown, attempt: number, errorClass: string): void {
  if (!span.isRecording()) return;
  span.addEvent("exception", {
    "exception.type": error instanceof Error ? error.name : typeof error,
    "exception.message": error instanceof Error ? error.message : String(error),
    "pipekit.attempt": attempt,
    "pipekit.error_class": errorClass,
  });
}

/** A tracer whose spans default to the cycle's span as parent (see CycleTrace.tracerFor). */
class CycleTracer implements Tracer {
  constructor(
    private readonly tracer: Tracer,
    private readonly cycle: Context,
  ) {}

  private parent(given: Context | undefined): Context {
    if (given !== undefined) return given;
    const active = context.active();
    return active === ROOT_CONTEXT || trace.getSpan(active) === undefined ? this.cycle : active;
  }

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    return this.tracer.startSpan(name, options, this.parent(ctx));
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest.pop() as F;
    const [options, ctx] = rest as [SpanOptions | undefined, Context | undefined];
    const parent = this.parent(ctx);
    const span = this.tracer.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), () => fn(span)) as ReturnType<F>;
  }
}
