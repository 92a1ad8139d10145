import { badRequest } from "./api-error.js";

export interface PageOptions {
  /** Server page size when the client asks for none (or more). */
  pageSize: number;
  /** Insert an empty page (with a token) before the last page: clients must keep going. */
  emptyPageBeforeLast: boolean;
}

/**
 * Databricks-style pagination: `page_token` is opaque, the absence of `next_page_token` is the
 * only end signal, and a page may be short or empty while a token is still returned.
 */
export function paginate<T>(
  items: readonly T[],
  query: URLSearchParams,
  options: PageOptions,
  maxResultsParam = "max_results",
): { page: T[]; nextPageToken?: string } {
  const requested = query.get(maxResultsParam);
  let size = options.pageSize;
  if (requested !== null && requested !== "") {
    const n = Number(requested);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`Invalid ${maxResultsParam}: ${requested}`);
    if (n > 0) size = Math.min(n, options.pageSize);
  }
  const token = query.get("page_token");
  let offset = 0;
  let emptyServed = false;
  if (token) {
    const decoded = decodeToken(token);
    if (!decoded) throw badRequest(`Invalid page_token: ${token}`);
    offset = decoded.offset;
    emptyServed = decoded.emptyServed;
  }
  const remaining = items.length - offset;
  // One empty page before the final one, when there are several pages, as real listings do.
  if (options.emptyPageBeforeLast && !emptyServed && offset > 0 && remaining > 0 && remaining <= size) {
    return { page: [], nextPageToken: encodeToken(offset, true) };
  }
  const page = items.slice(offset, offset + size);
  const next = offset + page.length;
  return next < items.length ? { page, nextPageToken: encodeToken(next, emptyServed) } : { page };
}

function encodeToken(offset: number, emptyServed: boolean): string {
  return Buffer.from(JSON.stringify({ o: offset, e: emptyServed })).toString("base64url");
}

function decodeToken(token: string): { offset: number; emptyServed: boolean } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      o?: unknown;
      e?: unknown;
    };
    if (typeof parsed.o !== "number" || !Number.isInteger(parsed.o) || parsed.o < 0) return undefined;
    return { offset: parsed.o, emptyServed: parsed.e === true };
  } catch {
    return undefined;
  }
}
