/**
 * WebM/Matroska sampling in a worker of its own, started by the embedding worker for one file and
 * terminated if it does not answer in time (src/clients/webmClient.ts): a damaged WebM can put
 * mediabunny's demuxer into a loop that never yields (found by fuzzing: one inserted byte), which
 * no timer inside the same thread can stop. Frames come back as transferred ImageBitmaps.
 */
import '../src/trustedTypes.ts';
import * as Comlink from 'comlink';
import { decodeWebmFrames } from '../src/media/webmDecode.ts';

const api = {
  async decode(buffer: ArrayBuffer, n: number, fps: number | undefined, onProgress: () => void) {
    const frames = await decodeWebmFrames(buffer, n, fps, Infinity, onProgress);
    return Comlink.transfer(frames, frames.map((f) => f.bitmap));
  },
};

export type WebmWorkerApi = typeof api;
Comlink.expose(api);
