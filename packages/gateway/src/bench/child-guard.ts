/**
 * Preloaded (`node --import`) into the simulator and gateway children of `switchyard bench`, so that they never
 * outlive the bench, even when the bench itself is killed without a chance to clean up (SIGKILL, a test timeout):
 * the child stops itself when its parent process goes away, and in any case after its lifetime
 * (`SWITCHYARD_BENCH_CHILD_LIFETIME_MS`). It stops with SIGTERM first (graceful shutdown, which also writes a
 * `--cpu-prof` profile), then SIGKILL if that takes more than 5 s. The timers are unref'd: they never keep a
 * process alive, and the check costs one getppid() per second.
 */
const parent = process.ppid;
const lifetimeMs = Number(process.env.SWITCHYARD_BENCH_CHILD_LIFETIME_MS) || 10 * 60_000;
let stopping = false;

function stop(): void {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 5_000).unref();
  process.kill(process.pid, 'SIGTERM');
}

setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1_000).unref();
setTimeout(stop, lifetimeMs).unref();

export {};
