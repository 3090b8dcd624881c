import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { WorkerBridge } from '../../src/clients/workerBridge.ts';

/** A stand-in worker: a message port whose other end exposes `api`; `terminate` closes both ends. */
function fakeWorkers() {
  const started: { terminated: boolean }[] = [];
  const spawn = () => {
    const { port1, port2 } = new MessageChannel();
    const state = { terminated: false, calls: 0, stop: () => {} };
    const api = {
      add: (a: number, b: number) => a + b,
      /** Runs until `stop`, then returns how it ended (a worker that cancels between items). */
      untilStopped: () => new Promise<string>((resolve) => (state.stop = () => resolve('stopped early'))),
      stop: () => state.stop(),
      never: () => new Promise<number>(() => {}),
      count: () => ++state.calls,
    };
    Comlink.expose(api, port2 as unknown as Comlink.Endpoint);
    started.push(state);
    return Object.assign(port1 as unknown as Comlink.Endpoint, {
      terminate() {
        state.terminated = true;
        port1.close();
        port2.close();
      },
    });
  };
  return { spawn, started };
}
type Api = { add(a: number, b: number): number; never(): Promise<number>; count(): number; untilStopped(): Promise<string>; stop(): void };

describe('worker bridge', () => {
  it('starts the worker on first use and reuses it', async () => {
    const { spawn, started } = fakeWorkers();
    const bridge = new WorkerBridge<Api>(spawn);
    expect(started).toHaveLength(0);
    expect(await bridge.run(undefined, (api) => api.add(2, 3))).toBe(5);
    expect(await bridge.run(undefined, (api) => api.count())).toBe(1);
    expect(await bridge.run(undefined, (api) => api.count())).toBe(2);
    expect(started).toHaveLength(1);
    expect(bridge.generation).toBe(1);
    bridge.terminate();
  });

  it('aborting a call terminates the worker, rejects with AbortError, and the next call gets a fresh worker', async () => {
    const { spawn, started } = fakeWorkers();
    const bridge = new WorkerBridge<Api>(spawn);
    const ctl = new AbortController();
    const hanging = bridge.run(ctl.signal, (api) => api.never());
    const other = bridge.run(undefined, (api) => api.never());
    ctl.abort();
    await expect(hanging).rejects.toMatchObject({ name: 'AbortError' });
    await expect(other).rejects.toMatchObject({ name: 'AbortError' });
    expect(started[0].terminated).toBe(true);
    expect(bridge.running).toBe(false);
    expect(await bridge.run(undefined, (api) => api.count())).toBe(1); // a new worker: its own count
    expect(bridge.generation).toBe(2);
    await expect(bridge.run(AbortSignal.abort(), (api) => api.add(1, 1))).rejects.toMatchObject({ name: 'AbortError' });
    bridge.terminate();
  });

  it('terminates an idle worker after idleMs, never one with a call in flight', async () => {
    const { spawn, started } = fakeWorkers();
    const bridge = new WorkerBridge<Api>(spawn, { idleMs: 20 });
    await bridge.run(undefined, (api) => api.add(1, 2));
    const busy = bridge.run(undefined, (api) => api.never());
    await new Promise((r) => setTimeout(r, 60));
    expect(started[0].terminated).toBe(false); // a call is still in flight
    bridge.terminate();
    await expect(busy).rejects.toMatchObject({ name: 'AbortError' });
    await bridge.run(undefined, (api) => api.add(1, 2));
    expect(bridge.running).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(started[1].terminated).toBe(true);
    expect(bridge.running).toBe(false);
  });

  it('a soft cancel lets the worker return what it has; the worker survives', async () => {
    const { spawn, started } = fakeWorkers();
    const bridge = new WorkerBridge<Api>(spawn);
    const ctl = new AbortController();
    const run = bridge.run(ctl.signal, (api) => api.untilStopped(), { soft: (api) => api.stop(), graceMs: 1000 });
    await bridge.run(undefined, (api) => api.count()); // the call above has reached the worker
    ctl.abort();
    expect(await run).toBe('stopped early');
    await new Promise((r) => setTimeout(r, 30));
    expect(started[0].terminated).toBe(false);
    expect(bridge.generation).toBe(1);
    bridge.terminate();
  });

  it('a soft cancel the worker ignores ends in termination after graceMs', async () => {
    const { spawn, started } = fakeWorkers();
    const bridge = new WorkerBridge<Api>(spawn);
    const ctl = new AbortController();
    const run = bridge.run(ctl.signal, (api) => api.never(), { soft: (api) => api.count(), graceMs: 30 });
    ctl.abort();
    await new Promise((r) => setTimeout(r, 10));
    expect(started[0].terminated).toBe(false); // still inside the grace period
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(started[0].terminated).toBe(true);
  });

  it('graceMs Infinity never terminates: the call settles however the worker ends it', async () => {
    const { spawn, started } = fakeWorkers();
    const bridge = new WorkerBridge<Api>(spawn);
    const ctl = new AbortController();
    const run = bridge.run(ctl.signal, (api) => api.untilStopped(), { soft: async () => {}, graceMs: Infinity });
    await bridge.run(undefined, (api) => api.count());
    ctl.abort();
    await new Promise((r) => setTimeout(r, 40));
    expect(started[0].terminated).toBe(false);
    await bridge.run(undefined, (api) => api.stop());
    expect(await run).toBe('stopped early');
    bridge.terminate();
  });
});
