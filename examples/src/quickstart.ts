// Quickstart: read orders from a JSON-lines file, price them, keep the big ones, write them out.
// Malformed lines go to a dead-letter file; the checkpoint file lets a second run resume.
import { type CycleReport, runPipeline } from "@pipekit/core";
import {
  FileCheckpointStore,
  filterTransform,
  JsonlFileSink,
  JsonlFileSource,
  mapTransform,
} from "@pipekit/core/builtins";

interface Order {
  readonly id: string;
  readonly qty: number;
  readonly unitPrice: number;
}

export function quickstart(files: {
  input: string;
  output: string;
  deadLetters: string;
  checkpoints: string;
}): Promise<CycleReport> {
  return runPipeline({
    source: new JsonlFileSource({ path: files.input, idField: "id" }),
    transforms: [
      mapTransform((order: Order) => ({ ...order, total: order.qty * order.unitPrice })),
      filterTransform((order: Order & { total: number }) => order.total >= 100),
    ],
    sinks: [
      {
        id: "big_orders",
        sink: new JsonlFileSink({ path: files.output }),
        batch: { maxCount: 100, lingerMs: 200 },
      },
    ],
    deadLetter: files.deadLetters,
    checkpointStore: new FileCheckpointStore(files.checkpoints),
  });
}
