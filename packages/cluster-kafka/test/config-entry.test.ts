import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/**
 * Imports `specifier` in a fresh Node process (from the TypeScript sources, as the tests run) and
 * answers whether kafkajs ended up in the module cache. kafkajs is CommonJS, so an ESM import of it
 * anywhere in the graph lands in require's cache.
 */
function loadsKafkajs(specifier: string): Promise<boolean> {
  const script = `
    import { createRequire } from "node:module";
    await import(${JSON.stringify(specifier)});
    const cached = Object.keys(createRequire(import.meta.url).cache);
    process.stdout.write(String(cached.some((path) => /[\\\\/]kafkajs[\\\\/]/.test(path))));
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--conditions=@pipekit/source", "--import=tsx", "--input-type=module", "--eval", script],
      { cwd: packageDir },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(stdout.trim() === "true");
      },
    );
  });
}

describe("@pipekit/cluster-kafka/config", () => {
  it("gives the options' schema without loading kafkajs, which the package's root loads", async () => {
    const [config, root] = await Promise.all([
      loadsKafkajs("@pipekit/cluster-kafka/config"),
      loadsKafkajs("@pipekit/cluster-kafka"),
    ]);
    expect(config).toBe(false);
    expect(root).toBe(true);
  });
});
