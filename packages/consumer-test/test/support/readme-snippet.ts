import { readFileSync } from "node:fs";

/**
 * The first ```ts block under a heading of the README, as the user copies it: the consumer test runs
 * exactly the code the README shows, so the two cannot drift apart.
 */
export function readmeCodeBlock(readmePath: string, heading: string): string {
  const readme = readFileSync(readmePath, "utf8");
  const start = readme.split("\n").findIndex((line) => line.trim() === heading);
  if (start < 0) throw new Error(`${readmePath}: no heading "${heading}"`);
  const rest = readme.split("\n").slice(start + 1);
  const open = rest.findIndex((line) => line.trim() === "```ts");
  const nextHeading = rest.findIndex((line) => /^#{1,3} /.test(line));
  if (open < 0 || (nextHeading >= 0 && nextHeading < open)) {
    throw new Error(`${readmePath}: no \`\`\`ts block under "${heading}"`);
  }
  const close = rest.findIndex((line, i) => i > open && line.trim() === "```");
  if (close < 0) throw new Error(`${readmePath}: the \`\`\`ts block under "${heading}" is not closed`);
  return `${rest.slice(open + 1, close).join("\n")}\n`;
}
