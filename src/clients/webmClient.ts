import * as Comlink from 'comlink';
import type { WebmWorkerApi } from '../../workers/webm.worker.ts';
import { VideoFileError, WebCodecsUnavailable } from '../media/videoDecode.ts';
import type { DecodedFrame } from '../media/videoDecode.ts';
import { WorkerBridge } from './workerBridge.ts';

/**
 * Samples a WebM in a worker of its own (workers/webm.worker.ts), terminated after `timeoutMs`:
 * a file that hangs the demuxer costs that long and ends in WebCodecsUnavailable (the page then
 * tries a <video> element), and the worker that asked goes on with the next file.
 */
export async function decodeWebmIsolated(buffer: ArrayBuffer, n: number, fps: number | undefined, timeoutMs = 20000): Promise<DecodedFrame[]> {
  const bridge = new WorkerBridge<WebmWorkerApi>(() => new Worker(new URL('../../workers/webm.worker.ts', import.meta.url), { type: 'module', name: 'webm' }));
  try {
    return await bridge.run(AbortSignal.timeout(timeoutMs), (api) => api.decode(Comlink.transfer(buffer, [buffer]), n, fps));
  } catch (err) {
    const e = err as Error;
    if (e.name === 'AbortError') throw new WebCodecsUnavailable(`demuxing and decoding did not finish within ${timeoutMs / 1000} s`);
    throw e.name === 'VideoFileError' ? new VideoFileError(e.message) : e.name === 'WebCodecsUnavailable' ? new WebCodecsUnavailable(e.message) : e;
  } finally {
    bridge.terminate();
  }
}
