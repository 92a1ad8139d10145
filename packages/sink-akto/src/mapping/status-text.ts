import { STATUS_CODES } from "node:http";

/** Reason phrase for a status code ("429" → "Too Many Requests"), as Node's HTTP server writes it. */
export function statusText(statusCode: number): string {
  return STATUS_CODES[statusCode] ?? "Unknown Status";
}
