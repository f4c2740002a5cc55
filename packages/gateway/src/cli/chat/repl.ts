import type { Model, Switchyard } from '@switchyard/sdk';
import type { Output } from '../support/output.js';
import type { ClientFlags } from '../support/sdk-client.js';
import { type ChatFlags, resolveStartModel, sentence } from './chat-flags.js';
import { ClientPool, chatConfig, checkProvider } from './clients.js';
import { Conversation } from './conversation.js';
import { startIndicator } from './indicator.js';
import { LineReader, watchInterrupt } from './line-input.js';
import { lookupModel, unknownModelMessage } from './model-lookup.js';
import { describeModel, pickModel, pickProvider, providerChoices } from './pickers.js';
import { SessionTotals } from './session-totals.js';
import { type ChatControls, isSlashCommand, runSlashCommand } from './slash-commands.js';
import { describeTurnError, isAbort, runTurn, statsLine, usageOfFailure, usageOfResult } from './turn.js';

/**
 * The interactive chat: provider menu, model picker, then a prompt loop that streams answers, shows tokens, cost
 * and the served model after each, and understands slash commands. Ctrl+C stops a running answer (the chat goes
 * on); Ctrl+C or Ctrl+D at the prompt ends the chat. Errors of an answer are one line; the chat goes on.
 */
export async function runRepl(flags: ChatFlags & ClientFlags, output: Output): Promise<void> {
  const config = await chatConfig(flags);
  const pool = new ClientPool(flags, output, config);
  const choices = providerChoices(config);
  const label = (name: string) => choices.find((c) => c.name === name)?.label ?? name;
  const conversation = new Conversation(flags.system);
  const totals = new SessionTotals();
  const state: { provider: string; sy: Switchyard | undefined; model: string | undefined; info?: Model } = {
    provider: '',
    sy: undefined,
    model: undefined,
  };

  try {
    output.out(`${output.bold('switchyard chat')} ${output.dim('— Esc or Ctrl+C in a menu quits')}`);
    // 1. Provider: --provider, else the menu (starting on the provider the configuration would use).
    let provider = flags.provider;
    if (provider) checkProvider(config, provider);
    else {
      const usable = choices.find((c) => c.name === config.provider && !c.disabled) ? config.provider : 'simulator';
      provider = await pickProvider(choices, usable);
      if (!provider) return goodbye(output, totals);
    }
    state.sy = await pool.get(provider);
    state.provider = state.sy.providerName;

    // 2. Model: --model (checked against the catalog), else the picker.
    if (flags.model) {
      const start = await resolveStartModel(state.sy, flags.model, output);
      state.model = start.id;
      state.info = start.model;
    } else {
      const picked = await pickModel(state.sy, output, label(state.provider), config.defaultModel);
      if (!picked) return goodbye(output, totals);
      state.model = picked.id;
      state.info = picked.model;
    }
    output.out(`${output.dim('Model:')} ${describeModel(state.model, state.info)}`);
    output.out(
      output.dim(
        'Type a message and press Enter. /help lists the commands; Ctrl+C stops an answer; /exit, Ctrl+C or Ctrl+D at the prompt quits.',
      ),
    );

    const controls: ChatControls = {
      output,
      conversation,
      totals,
      get provider() {
        return state.provider;
      },
      get model() {
        return state.model;
      },
      changeModel: async (id) => {
        const sy = state.sy!;
        if (id) {
          const lookup = await lookupModel(sy, id);
          if (lookup.kind === 'unknown') {
            output.err(output.red(unknownModelMessage(lookup, label(state.provider))));
            return;
          }
          if (lookup.kind === 'unchecked')
            output.err(
              output.yellow(`Could not check "${id}" against the catalog (${lookup.reason}); using it as is.`),
            );
          state.model = id;
          state.info = lookup.kind === 'known' ? lookup.model : undefined;
        } else {
          const picked = await pickModel(sy, output, label(state.provider), state.model);
          if (!picked) {
            output.out(`Model unchanged: ${state.model ?? '(default)'}`);
            return;
          }
          state.model = picked.id;
          state.info = picked.model;
        }
        output.out(`Model: ${describeModel(state.model!, state.info)}`);
      },
      changeProvider: async (name) => {
        let target = name;
        if (target) {
          try {
            checkProvider(config, target);
          } catch (error) {
            output.err(output.red((error as Error).message));
            return;
          }
        } else {
          target = await pickProvider(choices, state.provider);
          if (!target) {
            output.out(`Provider unchanged: ${label(state.provider)}`);
            return;
          }
        }
        let sy: Switchyard;
        try {
          sy = await pool.get(target);
        } catch (error) {
          output.err(output.red(`Could not open ${label(target)}: ${(error as Error).message}`));
          return;
        }
        const picked = await pickModel(sy, output, label(target), state.model);
        if (!picked) {
          output.out(`Provider unchanged: ${label(state.provider)} (no model chosen)`);
          return;
        }
        state.sy = sy;
        state.provider = sy.providerName;
        state.model = picked.id;
        state.info = picked.model;
        output.out(
          `Provider: ${label(state.provider)}. Model: ${describeModel(state.model, state.info)}. ` +
            `The conversation is kept (${conversation.length} exchange${conversation.length === 1 ? '' : 's'}).`,
        );
      },
      transcript: () => ({
        savedAt: new Date().toISOString(),
        provider: state.provider,
        model: state.model,
        system: conversation.system,
        turns: conversation.turns,
        messages: conversation.messages(),
        totals,
      }),
    };

    // 3. The prompt loop.
    const reader = new LineReader();
    const prompt = `${output.bold(output.cyan('you ›'))} `;
    for (;;) {
      const line = await reader.read(prompt);
      if (line.kind !== 'line') break;
      const text = line.text.trim();
      if (text === '') continue;
      if (isSlashCommand(text)) {
        if ((await runSlashCommand(text, controls)) === 'exit') break;
        continue;
      }
      await answer(text.startsWith('//') ? text.slice(1) : text);
    }
    goodbye(output, totals);
  } finally {
    await pool.closeAll();
  }

  async function answer(message: string): Promise<void> {
    const sy = state.sy!;
    const controller = new AbortController();
    let stopped = false;
    const unwatch = watchInterrupt(() => {
      stopped = true;
      controller.abort();
    });
    const waiting = startIndicator(output, 'waiting for the answer… (Ctrl+C stops it)');
    let atLineStart = true;
    let inReasoning = false;
    const write = (piece: string) => {
      if (piece === '') return;
      process.stdout.write(piece);
      atLineStart = piece.endsWith('\n');
    };
    try {
      const result = await runTurn(
        sy,
        { model: state.model, messages: conversation.messages(message) },
        {
          stream: flags.stream,
          signal: controller.signal,
          onReasoning: (piece) => {
            waiting.stop();
            if (!inReasoning) write(output.dim('thinking: '));
            inReasoning = true;
            write(output.dim(piece));
          },
          onText: (piece) => {
            waiting.stop();
            if (inReasoning) {
              write('\n\n');
              inReasoning = false;
            }
            write(piece);
          },
        },
      );
      waiting.stop();
      if (!atLineStart) write('\n');
      conversation.addAnswer(message, result, state.provider);
      totals.add(usageOfResult(result));
      output.out(output.dim(statsLine(result)));
    } catch (error) {
      waiting.stop();
      if (!atLineStart) write('\n');
      const aborted = stopped || isAbort(error);
      const kept = conversation.addPartial(message, error, aborted, state.provider);
      totals.add(usageOfFailure(error, state.model));
      const keptNote = kept ? ' The partial answer stays in the conversation.' : '';
      if (aborted) output.err(output.yellow(`Stopped.${keptNote}`));
      else output.err(output.red(`✖ ${sentence(describeTurnError(error, flags.verbose))}${keptNote}`));
    } finally {
      unwatch();
    }
    output.out('');
  }
}

function goodbye(output: Output, totals: SessionTotals): void {
  output.out(output.dim(`Session: ${totals.summary()}. Bye.`));
}
