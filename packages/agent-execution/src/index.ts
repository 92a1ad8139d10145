export {
  type AgentExecution,
  AgentExecutionSchema,
  type AgentRef,
  AgentRefSchema,
  type ChatMessage,
  ChatMessageSchema,
  type ToolCall,
  ToolCallSchema,
} from "./agent-execution.js";
export { agentExecutionIssues } from "./check-agent-execution.js";
