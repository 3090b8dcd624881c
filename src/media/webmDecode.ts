/**
 * WebM (and Matroska) frame sampling inside a worker with mediabunny: it demuxes the container and
 * decodes VP8, VP9 or AV1 with WebCodecs, and only the frames at the sampling times become
 * ImageBitmaps. As for MP4 (videoDecode.ts), a browser or codec that cannot do this ends in
 * WebCodecsUnavailable (the page then samples through a <video> element) and a file that is not a
 * usable video in VideoFileError (a per-file error).
 */
import { stallDeadline } from './stall.ts';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input, VideoSampleSink, type InputVideoTrack, type VideoSample } from 'mediabunny';
import { sampleTimes } from './video.ts';
import { VideoFileError, WebCodecsUnavailable, type DecodedFrame } from './videoDecode.ts';

/** True when the bytes start with the EBML header that every WebM and Matroska file starts with. */
export function isEbml(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3;
}


/**
 * `n` frames at the centres of n equal slices (or one every 1/fps s, at most n), times from the
 * first frame. A file that keeps the demuxer or decoder busy past `timeoutMs` ends in
 * WebCodecsUnavailable (the page then tries a <video> element), as for MP4: one odd file never
 * holds the batch.
 */
export async function decodeWebmFrames(buffer: ArrayBuffer, n: number, fps?: number, stallMs = 20000, onProgress?: () => void): Promise<DecodedFrame[]> {
  // Infinity: the caller's worker is stopped instead (src/clients/webmClient.ts), told of progress by onProgress.
  const stall = stallDeadline(stallMs, () => new WebCodecsUnavailable(`demuxing and decoding made no progress for ${stallMs / 1000} s`));
  const state = {
    get expired() {
      return stall.fired;
    },
    progress: () => (stall.progress(), onProgress?.()),
  };
  const work = decodeWebm(buffer, n, fps, state);
  try {
    return await Promise.race([work, stall.expired]);
  } finally {
    stall.clear();
    // Frames decoded after the deadline are closed, not leaked.
    if (stall.fired) void work.then((frames) => frames.forEach((f) => f.bitmap.close()), () => undefined);
  }
}

/**
 * Opens a WebM/Matroska file and reads what sampling needs: the primary video track, its first
 * timestamp and its duration. A file that is not one, or that mediabunny cannot read, ends in
 * VideoFileError or WebCodecsUnavailable, never in a raw error (fuzzed in Node). The caller
 * disposes of `input`.
 */
export async function openWebm(buffer: ArrayBuffer) {
  if (!isEbml(new Uint8Array(buffer, 0, Math.min(4, buffer.byteLength)))) throw new VideoFileError('not a readable WebM/Matroska file (no EBML header at the start)');
  const input = new Input({ formats: ALL_FORMATS, source: new BufferSource(buffer) });
  try {
    const track = await input.getPrimaryVideoTrack();
    if (!track) throw new VideoFileError('the file has no video track');
    const first = await track.getFirstTimestamp();
    let duration = (await track.computeDuration()) - first;
    // A cut file (half a recording: no Cues, its last cluster torn) reports no duration: the
    // packets that are there say how long it is (read, not decoded).
    if (!(duration > 0) && Number.isFinite(first)) duration = (await lastPacketEnd(track)) - first;
    // Still nothing: mediabunny reads no packet of a recording cut in half (its last cluster torn),
    // which the browser's own <video> plays: the page samples it instead.
    if (!(Number.isFinite(first) && duration > 0)) throw new WebCodecsUnavailable(`mediabunny finds no frame in its video track (${Number.isFinite(duration) ? `${duration} s` : 'no packets'}): a cut or unfinished recording?`);
    return { input, track, first, duration };
  } catch (err) {
    input.dispose?.();
    if (err instanceof VideoFileError) throw err;
    throw new WebCodecsUnavailable(`mediabunny could not read it (${(err as Error).message}): damaged, or not a WebM file`);
  }
}

/** Where the track's last readable packet ends (its timestamp plus duration), walking the packets without decoding them. */
async function lastPacketEnd(track: InputVideoTrack): Promise<number> {
  let end = -Infinity;
  for await (const packet of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) end = Math.max(end, packet.timestamp + packet.duration);
  return end;
}

async function decodeWebm(buffer: ArrayBuffer, n: number, fps: number | undefined, state: { readonly expired: boolean; progress(): void }): Promise<DecodedFrame[]> {
  if (typeof VideoDecoder === 'undefined') throw new WebCodecsUnavailable('this browser has no WebCodecs VideoDecoder in workers');
  const { input, track, first, duration } = await openWebm(buffer);
  try {
    if (!(await track.canDecode())) throw new WebCodecsUnavailable(`WebCodecs cannot decode ${track.codec ?? 'this codec'} here`);
    const targets = sampleTimes(duration, n, fps).map((t) => first + t);
    // The frame nearest each target (as for MP4), not the one shown at it: a recording with gaps
    // would otherwise lag by up to a gap. Frames come in presentation order; the previous one is
    // kept open until the next shows which of the two is nearer.
    const out: DecodedFrame[] = [];
    const bitmapOf = new Map<object, Promise<ImageBitmap>>();
    const take = (sample: VideoSample) => {
      let p = bitmapOf.get(sample);
      if (!p) {
        const frame = sample.toVideoFrame();
        p = createImageBitmap(frame).finally(() => frame.close());
        bitmapOf.set(sample, p);
      }
      return p;
    };
    let ti = 0;
    let prev: VideoSample | undefined;
    try {
      for await (const sample of new VideoSampleSink(track).samples()) {
        state.progress();
        if (state.expired) {
          sample.close();
          break;
        }
        while (ti < targets.length && sample.timestamp >= targets[ti]) {
          const t = targets[ti++];
          const best = prev && Math.abs(prev.timestamp - t) <= Math.abs(sample.timestamp - t) ? prev : sample;
          out.push({ bitmap: await take(best), time: best.timestamp - first });
        }
        if (prev && prev !== sample) prev.close();
        prev = sample;
        if (ti >= targets.length) break;
      }
      while (prev && ti < targets.length) {
        ti++;
        out.push({ bitmap: await take(prev), time: prev.timestamp - first });
      }
    } catch (err) {
      for (const f of out) f.bitmap.close();
      throw new Error(`decoding failed: ${(err as Error).message}`);
    } finally {
      prev?.close();
    }
    if (out.length === 0) throw new VideoFileError('no frame could be decoded');
    return out;
  } finally {
    input.dispose?.();
  }
}
