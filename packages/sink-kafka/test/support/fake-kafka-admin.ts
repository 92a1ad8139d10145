/**
 * The kafkajs admin calls the sink makes at open, answered in memory: a topic of `partitionCount`
 * partitions (all led by broker 1) and, when given, its `max.message.bytes`.
 */
export function fakeKafkaAdmin(partitionCount: number, maxMessageBytes?: number) {
  return {
    connect: async () => {},
    disconnect: async () => {},
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
      topics: topics.map((name) => ({
        name,
        partitions: Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionId, leader: 1 })),
      })),
    }),
    describeConfigs: async () => ({
      resources:
        maxMessageBytes === undefined
          ? []
          : [{ configEntries: [{ configName: "max.message.bytes", configValue: String(maxMessageBytes) }] }],
    }),
  };
}
