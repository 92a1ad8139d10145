import { createHash } from "node:crypto";

/**
 * Akto files traffic by the `host` request header (one API collection per host) and ignores hosts
 * without letters, so every agent and every tool gets a synthetic DNS-style host, in the spirit of
 * Akto's Bedrock connector (`{agent}.agent.bedrock-agentcore.{region}.amazonaws.com`):
 *   agent: `support-agent.agent.adb-123.4.azuredatabricks.net`
 *   tool:  `search-docs.tool.support-agent.agent.adb-123.4.azuredatabricks.net`
 */

const MAX_LABEL = 63;
const MAX_HOST = 253;

/** Stable short fingerprint so shortened or emptied names stay distinct. */
function fingerprint(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/**
 * One DNS label from any name: lower-case, [a-z0-9-], no leading/trailing dash, at most 63
 * characters. Names that lose everything (e.g. "___") or are too long get a hash so two different
 * names do not collapse into one collection. `_` and `.` become `-` (UC names like
 * `system.ai.python_exec` → `system-ai-python-exec`).
 */
export function toDnsLabel(name: string, fallback: string): string {
  const label = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  if (label === "") return `${fallback}-${fingerprint(name)}`;
  if (label.length <= MAX_LABEL) return label;
  return `${label.slice(0, MAX_LABEL - 9).replace(/-+$/, "")}-${fingerprint(name)}`;
}

/** The workspace host as DNS labels: scheme, port, path and user info dropped. */
function workspaceLabels(workspace: string): string[] {
  const bare = workspace
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
    .replace(/[/?#].*$/, "")
    .replace(/^.*@/, "")
    .replace(/:\d*$/, "");
  const labels = bare
    .split(".")
    .filter((part) => part !== "")
    .map((part) => toDnsLabel(part, "ws"));
  return labels.length > 0 ? labels : ["databricks"];
}

/**
 * Joins leading labels onto the workspace labels. If the result would pass 253 characters, the
 * workspace's leftmost labels are replaced by one hash label (keeps the leading, meaningful part and
 * the registrable domain, and stays unique per workspace).
 */
function joinHost(leading: readonly string[], workspace: string): string {
  const base = workspaceLabels(workspace);
  const full = [...leading, ...base].join(".");
  if (full.length <= MAX_HOST) return full;
  const kept = [...base];
  const hash = `ws-${fingerprint(workspace)}`;
  while (kept.length > 0 && [...leading, hash, ...kept].join(".").length > MAX_HOST) kept.shift();
  return [...leading, hash, ...kept].join(".");
}

/** `<endpoint>.agent.<workspace-host>` */
export function agentHost(endpoint: string, workspace: string): string {
  return joinHost([toDnsLabel(endpoint, "agent"), "agent"], workspace);
}

/** `<tool>.tool.<endpoint>.agent.<workspace-host>`: each tool is its own collection under the agent. */
export function toolHost(toolName: string, endpoint: string, workspace: string): string {
  return joinHost([toDnsLabel(toolName, "tool"), "tool", toDnsLabel(endpoint, "agent"), "agent"], workspace);
}
