/// <reference path="../types/kafkajs-snappy.d.ts" />

import { CompressionCodecs, CompressionTypes } from "@pipekit/kafka-connection";
import type { CompressionTypes as CompressionType } from "kafkajs";
import SnappyCodec from "kafkajs-snappy";

export type CompressionName = "none" | "gzip" | "snappy";

let snappyRegistered = false;

/** The kafkajs compression type for a config name, registering the snappy codec on first use. */
export function compressionType(name: CompressionName): CompressionType {
  switch (name) {
    case "none":
      return CompressionTypes.None;
    case "gzip":
      return CompressionTypes.GZIP;
    case "snappy":
      if (!snappyRegistered) {
        // kafkajs keeps codecs in a process-wide table; registering is idempotent.
        (CompressionCodecs as Record<number, unknown>)[CompressionTypes.Snappy] = SnappyCodec;
        snappyRegistered = true;
      }
      return CompressionTypes.Snappy;
  }
}
