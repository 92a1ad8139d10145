import type { ConfigProblem } from "@pipekit/core/advanced";

/**
 * Pipeline files once spelled the runner's keys in snake_case (`dead_letter`, `batch.max_count`).
 * An unknown key whose camelCase form is the key known at that position is such an old spelling:
 * say that the file's casing is camelCase rather than only guessing at a typo.
 */
export function withCamelCaseHint(problem: ConfigProblem): string {
  const key = problem.path[problem.path.length - 1];
  if (typeof key !== "string" || problem.suggestion === undefined) return problem.message;
  if (!key.includes("_") || problem.suggestion !== camelCase(key)) return problem.message;
  return `unknown key "${key}" — pipeline files spell keys in camelCase: did you mean "${problem.suggestion}"?`;
}

function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
