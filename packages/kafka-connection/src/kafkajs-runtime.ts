import kafkajs from "kafkajs";

// kafkajs is CommonJS and Node's ESM loader cannot see every name it exports (its export list ends
// in a spread), so runtime values come from the module object rather than from named imports.
export const { AssignerProtocol, CompressionCodecs, CompressionTypes, ConfigResourceTypes, Partitioners } =
  kafkajs;
