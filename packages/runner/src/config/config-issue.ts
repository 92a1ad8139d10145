import { formatPath } from "@pipekit/core/advanced";

/** One problem found in a pipeline file, located as precisely as the YAML allows. */
export interface ConfigIssue {
  readonly file: string;
  /** Where in the config the problem is, e.g. ["sinks", 0, "batch", "maxCount"]. */
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** 1-based; absent only when the file could not be read at all. */
  readonly line?: number;
  readonly column?: number;
}

/** `file:line:column: path: message`, the shape editors and CI annotations understand. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const path = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : "";
  return `${where}: ${path}${issue.message}`;
}

/** Thrown when a pipeline file cannot be used; carries every issue found, not only the first. */
export class ConfigFileError extends Error {
  override readonly name = "ConfigFileError";
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      `${issues.length} problem${issues.length === 1 ? "" : "s"} in pipeline config:\n${issues.map(formatIssue).join("\n")}`,
    );
  }
}
