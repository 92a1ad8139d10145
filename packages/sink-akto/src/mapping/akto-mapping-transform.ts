import { type AgentExecution, agentExecutionIssues } from "@pipekit/agent-execution";
import {
  type ComponentContext,
  deriveEncodedMessage,
  type Message,
  PoisonError,
  type Transform,
} from "@pipekit/core";
import type { AktoRecord } from "./akto-record.js";
import { mapExecution } from "./map-execution.js";
import type { AktoMappingConfig, AktoMappingOptions } from "./mapping-config.js";
import { resolveAktoMappingOptions } from "./resolve-options.js";

/** Everything the mapping needs, from raw options: the record list for one execution. */
export function mapExecutionToAktoRecords(
  execution: AgentExecution,
  options: AktoMappingOptions = {},
): AktoRecord[] {
  return mapExecution(execution, resolveAktoMappingOptions(options)).map((mapped) => mapped.record);
}

/**
 * Pipeline transform: one AgentExecution message → its Akto records as messages (the agent call
 * first, then one per tool call). Output ids: `<requestId>` and `<requestId>#tool:<toolCallId>`.
 * `meta.truncated` lists payload fields cut to fit Akto's limits ([] when none); `meta.aktoRecordKind`
 * is "agent" or "tool". Each output carries the record's JSON as `encoded` (its size, and what the
 * sinks send; `encoded.fit` shortens it for a destination with a smaller record limit). A message
 * whose value is not an AgentExecution is dead-lettered with the offending field paths.
 */
export function aktoMappingTransform(
  options: AktoMappingOptions = {},
): Transform<AgentExecution, AktoRecord> {
  const config: AktoMappingConfig = resolveAktoMappingOptions(options);
  return {
    type: "akto_mapping",
    transform(message: Message<AgentExecution>, ctx: ComponentContext): Message<AktoRecord>[] {
      // A structural check, not a zod parse: the source built the value through the type, and
      // the failure message still names each bad field (never its value).
      const issues = agentExecutionIssues(message.value);
      if (issues !== undefined) {
        throw new PoisonError(`Message "${message.id}" is not an AgentExecution: ${issues}`);
      }
      return mapExecution(message.value, config).map((mapped) => {
        if (mapped.truncated.length > 0) {
          ctx.logger.warn(
            {
              messageId: message.id,
              recordId: mapped.id,
              truncated: mapped.truncated,
              removedChars: mapped.removedChars,
            },
            "Akto record payload truncated to fit Akto's size limits",
          );
        }
        // The record travels as its JSON text only (`value` parses it when read): see deriveEncodedMessage.
        return deriveEncodedMessage<AktoRecord>(message, mapped.encoded, {
          id: mapped.id,
          meta: { aktoRecordKind: mapped.kind, truncated: mapped.truncated },
        });
      });
    },
  };
}
