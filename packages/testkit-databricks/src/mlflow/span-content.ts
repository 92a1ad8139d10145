/** What a seeded span is before it gets ids and times: its name, MLflow span type, parent and payloads. */
export interface SpanContent {
  readonly name: string;
  /** MLflow's span type: AGENT, CHAT_MODEL, TOOL, RETRIEVER… */
  readonly type: string;
  /** The parent's span id; "" for a root span (MLflow writes an empty parent id, not NULL). */
  readonly parent: string;
  readonly inputs: unknown;
  readonly outputs: unknown;
}

/** The chat-model call of an agent's trace: the user's question in, the model's answer out. */
export function chatModelSpan(name: string, parent: string, question: string, answer: string): SpanContent {
  return {
    name,
    type: "CHAT_MODEL",
    parent,
    inputs: { messages: [{ role: "user", content: question }] },
    outputs: { content: answer },
  };
}

/** A span's MLflow attributes; MLflow JSON-encodes every attribute value, strings included. */
export function spanAttributes(
  span: Pick<SpanContent, "type" | "inputs" | "outputs">,
): Record<string, string> {
  return {
    "mlflow.spanType": JSON.stringify(span.type),
    "mlflow.spanInputs": JSON.stringify(span.inputs),
    "mlflow.spanOutputs": JSON.stringify(span.outputs),
  };
}

/** The attributes of the `exception` event MLflow records on a failed span (OTel's semantic names). */
export function exceptionAttributes(type: string, message: string): Record<string, string> {
  return {
    "exception.type": JSON.stringify(type),
    "exception.message": JSON.stringify(message),
    "exception.stacktrace": JSON.stringify("Traceback (most recent call last): ..."),
  };
}
