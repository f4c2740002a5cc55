import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless, for the browser tests of every package (playwright-core drives it; its own browser
 * download never runs here). The flags keep it quiet and off the network: no sandbox (CI runs as root), no GPU, no
 * background fetches, updates, sync or first-run pages — the tests' loopback servers are its only traffic.
 */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** `extraArgs`: a test's own flags, e.g. `--host-resolver-rules` to give a hostile site a name on loopback. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...ARGS, ...extraArgs],
  });
}
