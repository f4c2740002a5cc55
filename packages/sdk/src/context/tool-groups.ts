import type { Message } from '../protocol/messages.js';

/**
 * Splits a conversation into units that must be kept or dropped whole. A unit is a single message, or an
 * assistant message with `tool_calls` together with every tool message answering it: providers reject a tool
 * result whose call is missing and a call whose results are missing, so pruning must never separate them.
 *
 * A tool message joins the assistant whose `tool_calls` hold its `tool_call_id`, wherever it sits (results may be
 * interleaved with user messages). One whose id matches nothing joins the call right before it when only tool
 * messages lie between (a client that mangled ids); otherwise it is an orphan, a unit of its own.
 */
export interface ToolGroups {
  /** Message indices of each unit, in order of first appearance; a unit's first index is its head. */
  units: number[][];
  /** The unit of each message. */
  unitOf: number[];
}

export function groupToolCalls(messages: readonly Message[]): ToolGroups {
  const units: number[][] = [];
  const unitOf: number[] = [];
  const callUnit = new Map<string, number>();
  let adjacentCall: number | undefined; // the call unit directly before the current run of tool messages
  messages.forEach((message, i) => {
    let unit: number | undefined;
    if (message.role === 'tool') {
      unit = callUnit.get(message.tool_call_id) ?? adjacentCall;
    } else {
      adjacentCall = undefined;
    }
    if (unit === undefined) {
      unit = units.length;
      units.push([i]);
      if (message.role === 'assistant' && message.tool_calls?.length) {
        for (const call of message.tool_calls) if (typeof call?.id === 'string') callUnit.set(call.id, unit);
        adjacentCall = unit;
      }
    } else {
      units[unit]!.push(i);
    }
    unitOf.push(unit);
  });
  return { units, unitOf };
}

export function isSystem(message: Message): boolean {
  return message.role === 'system' || message.role === 'developer';
}

/** Whether unit `unit` is a call with its results (rather than a lone message or an orphan tool result). */
export function isCallUnit(messages: readonly Message[], groups: ToolGroups, unit: number): boolean {
  const head = messages[groups.units[unit]![0]!]!;
  return head.role === 'assistant' && (head.tool_calls?.length ?? 0) > 0;
}
