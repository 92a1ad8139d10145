// The installed @pipekit/rx with the consumer's own rxjs: a cold Observable as a pulled Source, an
// rxjs operator as a transform, on the installed engine. Prints one JSON line the test asserts on.
import { runPipeline, silentLogger } from "@pipekit/core";
import { MemorySink } from "@pipekit/core/builtins";
import { fromObservable, rxTransform } from "@pipekit/rx";
import { from, map } from "rxjs";

const words = new MemorySink<string>();
const report = await runPipeline({
  source: fromObservable<string>(() => from(["alpha", "beta", "gamma"]), { id: (word) => word }),
  transforms: [rxTransform<string, string>(map((word) => word.toUpperCase()))],
  sinks: [{ id: "words", sink: words }],
  deadLetter: new MemorySink(),
  logger: silentLogger,
});
console.log(JSON.stringify({ sent: report.sent, words: words.values }));
