import * as Comlink from 'comlink';
import type { WebmWorkerApi } from '../../workers/webm.worker.ts';
import { VideoFileError, WebCodecsUnavailable } from '../media/videoDecode.ts';
import type { DecodedFrame } from '../media/videoDecode.ts';
import { WorkerBridge } from './workerBridge.ts';
import { stallDeadline } from '../media/stall.ts';

/**
 * Samples a WebM in a worker of its own (workers/webm.worker.ts), terminated when it makes no
 * progress (no frame demuxed) for `stallMs`: a file that hangs the demuxer costs that long and
 * ends in WebCodecsUnavailable (the page then tries a <video> element), and the worker that asked
 * goes on with the next file. A slow machine that keeps decoding is never cut off.
 */
export async function decodeWebmIsolated(buffer: ArrayBuffer, n: number, fps: number | undefined, stallMs = 20000): Promise<DecodedFrame[]> {
  const bridge = new WorkerBridge<WebmWorkerApi>(() => new Worker(new URL('../../workers/webm.worker.ts', import.meta.url), { type: 'module', name: 'webm' }));
  const stop = new AbortController();
  const stall = stallDeadline(stallMs, () => new Error('stalled'));
  stall.expired.catch(() => stop.abort());
  try {
    return await bridge.run(stop.signal, (api) => api.decode(Comlink.transfer(buffer, [buffer]), n, fps, Comlink.proxy(() => stall.progress())));
  } catch (err) {
    const e = err as Error;
    if (e.name === 'AbortError') throw new WebCodecsUnavailable(`demuxing and decoding made no progress for ${stallMs / 1000} s`);
    throw e.name === 'VideoFileError' ? new VideoFileError(e.message) : e.name === 'WebCodecsUnavailable' ? new WebCodecsUnavailable(e.message) : e;
  } finally {
    stall.clear();
    bridge.terminate();
  }
}
