/**
 * WebM/Matroska sampling in a worker of its own, started by the embedding worker for one file and
 * terminated if it does not answer in time: a damaged WebM can put mediabunny's demuxer into a
 * loop that never yields (found by fuzzing: one inserted byte), which no timer inside the same
 * thread can stop. Frames come back as transferred ImageBitmaps.
 */
import '../src/trustedTypes.ts';
import { decodeWebmFrames } from '../src/webmDecode.ts';

self.onmessage = async (ev: MessageEvent<{ buffer: ArrayBuffer; n: number; fps?: number }>) => {
  const { buffer, n, fps } = ev.data;
  try {
    const frames = await decodeWebmFrames(buffer, n, fps, Infinity);
    postMessage({ frames }, { transfer: frames.map((f) => f.bitmap) });
  } catch (err) {
    postMessage({ error: { name: (err as Error).name, message: (err as Error).message } });
  }
};
