/** Small, total conversions from driver values (strings, numbers, Dates, bigints, nulls). */

export type JsonObject = Record<string, unknown>;

export function asRecord(v: unknown): JsonObject | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

export function asArray(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

export function asString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  return undefined;
}

export function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  // node-int64 and similar wrappers
  if (v && typeof v === "object" && typeof (v as { toNumber?: unknown }).toNumber === "function") {
    const n = (v as { toNumber(): number }).toNumber();
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A value as stored text: strings as-is, anything else JSON. */
export function toText(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x)) ?? "";
  } catch {
    return String(v);
  }
}

/**
 * A TIMESTAMP as the driver returns it → epoch ms. Databricks renders timestamps without a zone
 * in the session time zone, which is UTC for warehouses unless changed; such strings are read as UTC.
 */
export function parseTimestamp(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  const n = asNumber(v);
  if (n !== undefined && typeof v !== "string") return n;
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (m) {
    const frac = m[3] ? m[3].slice(0, 4).padEnd(4, "0") : "";
    const zone = m[4]
      ? m[4].toUpperCase() === "Z"
        ? "Z"
        : m[4].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2")
      : "Z";
    const t = Date.parse(`${m[1]}T${m[2]}${frac}${zone}`);
    return Number.isNaN(t) ? undefined : t;
  }
  if (/^\d+$/.test(s)) return Number(s);
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** Message content in any of the shapes agents use → plain text. */
export function contentToText(content: unknown): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  const parts = asArray(content);
  if (parts) {
    return parts
      .map((p) => {
        if (typeof p === "string") return p;
        const r = asRecord(p);
        if (r && typeof r.text === "string") return r.text;
        if (r && typeof r.refusal === "string") return r.refusal;
        return toText(p);
      })
      .join("");
  }
  return toText(content);
}

/** ARRAY<STRING> as the driver returns it (a JSON string, or an array). */
export function parseStringArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => toText(x));
  if (typeof v === "string" && v.trim() !== "") {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (Array.isArray(parsed)) return parsed.map((x) => toText(x));
    } catch {
      return [v];
    }
  }
  return [];
}

/** MAP<STRING,STRING> as the driver returns it (a JSON string, or an object). */
export function parseStringMap(v: unknown): Record<string, string> {
  let obj: unknown = v;
  if (typeof v === "string" && v.trim() !== "") {
    try {
      obj = JSON.parse(v);
    } catch {
      return {};
    }
  }
  const r = asRecord(obj);
  if (r) return Object.fromEntries(Object.entries(r).map(([k, x]) => [k, toText(x)]));
  // Some renderings give a list of [key, value] pairs.
  const list = asArray(obj);
  if (list) {
    const out: Record<string, string> = {};
    for (const pair of list)
      if (Array.isArray(pair) && pair.length === 2) out[toText(pair[0])] = toText(pair[1]);
    return out;
  }
  return {};
}
