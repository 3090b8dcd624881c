import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { WorkerBridge } from '../../src/ui/workerBridge.ts';

/** A stand-in worker: a message port whose other end exposes `api`; `terminate` closes both ends. */
function fakeWorkers() {
  const started: { terminated: boolean }[] = [];
  const spawn = () => {
    const { port1, port2 } = new MessageChannel();
    const state = { terminated: false, calls: 0 };
    const api = {
      add: (a: number, b: number) => a + b,
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
type Api = { add(a: number, b: number): number; never(): Promise<number>; count(): number };

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
});
