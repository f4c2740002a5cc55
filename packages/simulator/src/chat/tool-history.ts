type Message = Record<string, unknown>;

/**
 * Providers reject a `tool` message that does not answer a tool call of an earlier assistant message (OpenAI:
 * "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'"). Clients that prune
 * history must keep calls and results together; this makes the simulator catch them when they don't.
 */
export function orphanToolResult(messages: Message[]): string | undefined {
  const open = new Set<string>();
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Message;
    if (message.role === 'assistant' && Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls as { id?: unknown }[]) if (typeof call.id === 'string') open.add(call.id);
    } else if (message.role === 'tool' && !open.has(message.tool_call_id as string)) {
      return (
        `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. ` +
        `(messages[${i}].tool_call_id ${JSON.stringify(message.tool_call_id)})`
      );
    }
  }
  return undefined;
}
