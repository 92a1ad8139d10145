import { createMessage, type Message, type MessageMeta } from "../contracts/message.js";

/**
 * A message a source could not decode. The engine sends it straight to the dead-letter sink (stage
 * "source", with `reason` as the error) and acknowledges it there, so bad input is kept, not lost,
 * and does not block the checkpoint. Convention: `meta.invalid` holds the reason.
 */
export function invalidMessage(id: string, raw: unknown, reason: string, meta: MessageMeta = {}): Message {
  return createMessage(id, raw, { ...meta, invalid: reason });
}
