/**
 * Video frame sampling inside a worker: mp4box.js demuxes MP4 / MOV (including the fragmented MP4
 * that MediaRecorder writes), WebCodecs' VideoDecoder decodes, and only the frames nearest to the
 * sampling times become ImageBitmaps (WebM and Matroska go to src/webmDecode.ts instead). Where
 * this cannot work (no WebCodecs, a file mp4box cannot read, an unsupported codec) it throws
 * WebCodecsUnavailable and the page falls back to sampling through a <video> element (src/video.ts).
 */
import { checkMp4Structure } from './mp4Check.ts';
import { stallDeadline } from './stall.ts';
import { createFile, DataStream, Endianness, MP4BoxBuffer, type Movie, type Sample } from 'mp4box';
import { sampleTimes } from './video.ts';
export { VideoFileError, WebCodecsUnavailable } from './videoErrors.ts';
import { VideoFileError, WebCodecsUnavailable } from './videoErrors.ts';

export interface DecodedFrame {
  bitmap: ImageBitmap;
  /** Presentation time in seconds from the start of the video. */
  time: number;
}

export function looksLikeMp4(name: string, type: string): boolean {
  return /^video\/(mp4|quicktime|x-m4v)/.test(type) || /\.(mp4|m4v|mov)$/i.test(name);
}

export interface Demuxed {
  codec: string;
  width: number;
  height: number;
  description?: Uint8Array;
  timescale: number;
  samples: Sample[];
}

/**
 * The first video track's codec, size and samples. A damaged or hostile file ends in a
 * VideoFileError (not a video) or WebCodecsUnavailable (mp4box cannot read it: the page then
 * tries a <video> element), never in a raw error from inside mp4box.
 */
export function demuxMp4(buffer: ArrayBuffer): Demuxed {
  const head = new Uint8Array(buffer, 0, Math.min(12, buffer.byteLength));
  const fourcc = String.fromCharCode(...head.subarray(4, 8));
  if (!['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip'].includes(fourcc)) {
    throw new VideoFileError('not a readable MP4/MOV file (no ftyp box at the start)');
  }
  checkMp4Structure(buffer); // the sample tables from their headers, before mp4box allocates for them
  const file = createFile();
  let info: Movie | undefined;
  let error: string | undefined;
  const samples: Sample[] = [];
  file.onError = (_module: string, message: string) => (error = message);
  file.onReady = (movie: Movie) => {
    info = movie;
    const track = movie.videoTracks[0];
    if (!track) return;
    file.setExtractionOptions(track.id, undefined, { nbSamples: Infinity });
    file.start();
  };
  file.onSamples = (_id: number, _user: unknown, s: Sample[]) => {
    for (const x of s) samples.push(x); // no spread: an hour of video is 100k+ samples
  };
  let description: Uint8Array | undefined;
  try {
    file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(buffer, 0), true);
    file.flush();
    if (info?.videoTracks[0]) {
      const trak = file.getTrackById(info.videoTracks[0].id);
      const entry = trak.mdia.minf.stbl.stsd.entries[0] as unknown as Record<string, { write(s: DataStream): void } | undefined>;
      const box = entry.avcC ?? entry.hvcC ?? entry.vpcC ?? entry.av1C;
      if (box) {
        const stream = new DataStream(undefined, 0, Endianness.BIG_ENDIAN);
        box.write(stream);
        description = new Uint8Array(stream.buffer, 8); // drop the box header
      }
    }
  } catch (e) {
    throw new WebCodecsUnavailable(`mp4box could not read it (${e instanceof Error ? e.message : String(e)}): damaged, or not an MP4/MOV file`);
  }
  if (!info) throw new WebCodecsUnavailable(error ? `mp4box could not read it (${error})` : 'not an MP4/MOV file mp4box can read');
  const track = info.videoTracks[0];
  if (!track) throw new VideoFileError('the file has no video track');
  if (samples.length === 0) throw new VideoFileError('the video track has no samples');
  const width = track.video?.width ?? track.track_width;
  const height = track.video?.height ?? track.track_height;
  if (!(width > 0 && height > 0)) throw new VideoFileError(`the video track declares a frame size of ${width} x ${height}`);
  if (!(track.timescale > 0)) throw new VideoFileError(`the video track declares a timescale of ${track.timescale}`);
  return { codec: track.codec, width, height, description, timescale: track.timescale, samples };
}

/**
 * `n` frames at the centres of n equal time slices (or one every 1/fps s), decoded in this
 * thread. Each requested time gets the frame whose presentation time is nearest.
 */
export async function decodeMp4Frames(buffer: ArrayBuffer, n: number, fps?: number, stallMs = 20000): Promise<DecodedFrame[]> {
  // No progress (a chunk taken, a frame out) for stallMs: not a total time, so a busy machine that
  // decodes slowly is never mistaken for a file that hangs the decoder.
  const stall = stallDeadline(stallMs, () => new WebCodecsUnavailable(`the WebCodecs decoder made no progress for ${stallMs / 1000} s`));
  const state: { decoder?: VideoDecoder; progress: () => void } = { progress: stall.progress };
  try {
    return await Promise.race([decode(buffer, n, fps, state), stall.expired]);
  } finally {
    stall.clear();
    if (state.decoder && state.decoder.state !== 'closed') state.decoder.close();
  }
}

async function decode(buffer: ArrayBuffer, n: number, fps: number | undefined, state: { decoder?: VideoDecoder; progress(): void }): Promise<DecodedFrame[]> {
  if (typeof VideoDecoder === 'undefined') throw new WebCodecsUnavailable('this browser has no WebCodecs VideoDecoder in workers');
  const d = demuxMp4(buffer);
  const config: VideoDecoderConfig = { codec: d.codec, codedWidth: d.width, codedHeight: d.height, ...(d.description ? { description: d.description } : {}) };
  const support = await VideoDecoder.isConfigSupported(config);
  if (!support.supported) throw new WebCodecsUnavailable(`WebCodecs cannot decode ${d.codec}`);

  const ts = d.timescale;
  let start = Infinity;
  let end = -Infinity;
  for (const s of d.samples) {
    start = Math.min(start, s.cts);
    end = Math.max(end, s.cts + s.duration);
  }
  const duration = (end - start) / ts;
  const targets = sampleTimes(duration, n, fps);
  // The sample (by presentation time) nearest to each target; several targets may share one.
  const ctsSorted = [...new Set(d.samples.map((s) => s.cts))].sort((a, b) => a - b);
  const wanted = targets.map((t) => {
    let best = ctsSorted[0];
    for (const c of ctsSorted) if (Math.abs((c - start) / ts - t) < Math.abs((best - start) / ts - t)) best = c;
    return best;
  });
  const wantedUs = new Set(wanted.map((c) => Math.round((c * 1e6) / ts)));
  const bitmaps = new Map<number, Promise<ImageBitmap>>();
  let failure: Error | undefined;
  const decoder = new VideoDecoder({
    output: (frame) => {
      state.progress();
      const key = frame.timestamp;
      if (wantedUs.has(key) && !bitmaps.has(key)) {
        bitmaps.set(key, createImageBitmap(frame).finally(() => frame.close()));
      } else {
        frame.close();
      }
    },
    error: (e) => (failure = e instanceof Error ? e : new Error(String(e))),
  });
  state.decoder = decoder;
  decoder.configure(config);
  const lastWanted = wanted.reduce((a, b) => Math.max(a, b), -Infinity);
  for (const s of d.samples) {
    if (failure) break;
    if (s.dts > lastWanted && bitmaps.size >= wantedUs.size) break;
    decoder.decode(
      new EncodedVideoChunk({
        type: s.is_sync ? 'key' : 'delta',
        timestamp: Math.round((s.cts * 1e6) / ts),
        duration: Math.round((s.duration * 1e6) / ts),
        data: s.data!,
      }),
    );
    state.progress();
    if (decoder.decodeQueueSize > 8) await new Promise((r) => decoder.addEventListener('dequeue', r, { once: true }));
  }
  if (!failure) await decoder.flush().catch((e) => (failure = e));
  if (failure) throw new Error(`decoding failed: ${failure.message}`);
  const out: DecodedFrame[] = [];
  for (const c of wanted) {
    const key = Math.round((c * 1e6) / ts);
    const p = bitmaps.get(key);
    if (!p) throw new Error(`the decoder produced no frame at ${(c / ts).toFixed(3)} s`);
    out.push({ bitmap: await p, time: (c - start) / ts });
  }
  return out;
}
