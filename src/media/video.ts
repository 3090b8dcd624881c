/**
 * Uniform frame sampling through a <video> element (the fallback the embedding issue allows where
 * decoding in a worker is not available): N frames at the centres of N equal time slices, each
 * returned as an ImageBitmap with its timestamp. Runs on the page (the browser decodes; no model
 * code), and the bitmaps are transferred to the embedding worker.
 */
export interface SampledFrame {
  bitmap: ImageBitmap;
  time: number;
}

/**
 * What a <video> element's error means, in words: by its code, not Chromium's internal message
 * ("PipelineStatus::DEMUXER_ERROR_NO_SUPPORTED_STREAMS"), which is kept only as a hint.
 */
export function mediaErrorText(error: { code: number; message?: string } | null): string {
  const why: Record<number, string> = {
    1: 'loading was stopped',
    2: 'the file could not be read',
    3: 'the browser could not decode it (damaged, or a codec it cannot play)',
    4: 'the browser found no video stream it can play in it (an unsupported codec or container)',
  };
  const text = (error && why[error.code]) || 'the browser cannot decode this video';
  const hint = error?.message?.match(/DEMUXER_ERROR_\w+|DECODER_ERROR_\w+/)?.[0];
  return hint ? `${text}; ${hint.toLowerCase().replace(/_/g, ' ')}` : text;
}

function once(el: HTMLMediaElement, ok: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`timed out waiting for "${ok}"`)), timeoutMs);
    const onOk = () => finish();
    const onErr = () => finish(new Error(mediaErrorText(el.error)));
    function finish(err?: Error) {
      clearTimeout(timer);
      el.removeEventListener(ok, onOk);
      el.removeEventListener('error', onErr);
      if (err) reject(err);
      else resolve();
    }
    el.addEventListener(ok, onOk);
    el.addEventListener('error', onErr);
  });
}

/** WebM or Matroska by type or name: demuxed in the worker (src/webmDecode.ts). */
export function looksLikeWebm(name: string, type: string): boolean {
  return /^video\/(webm|x-matroska)/.test(type) || /\.(webm|mkv)$/i.test(name);
}

/**
 * Times (seconds) of `n` uniformly sampled frames, or of one frame every 1/fps seconds (at the
 * centre of each 1/fps slice). `n` caps the rate: a clip long enough to need more than `n` frames
 * at that rate gets `n` frames at equal spacing instead, so a long video never decodes thousands.
 */
export function sampleTimes(duration: number, n: number, fps?: number): number[] {
  if (fps && fps > 0) {
    const count = Math.max(1, Math.floor(duration * fps));
    if (count <= n) return Array.from({ length: count }, (_, i) => Math.min(duration, (i + 0.5) / fps));
  }
  return Array.from({ length: n }, (_, i) => ((i + 0.5) * duration) / n);
}

export async function sampleVideo(file: Blob, frames = 24, fps?: number): Promise<SampledFrame[]> {
  if (file.size === 0) throw new Error('the file is empty (0 bytes)');
  const url = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.playsInline = true;
  try {
    const meta = once(video, 'loadedmetadata', 15000);
    video.src = url;
    await meta;
    let duration = video.duration;
    if (!Number.isFinite(duration)) {
      // MediaRecorder's WebM has no duration in its header: seeking far ahead makes the browser find it.
      const seeked = once(video, 'seeked', 15000);
      video.currentTime = 1e7;
      await seeked;
      duration = video.duration;
    }
    if (!Number.isFinite(duration) || duration <= 0) throw new Error('the video has no usable duration');
    if (!video.videoWidth) throw new Error('the video has no picture track');
    const out: SampledFrame[] = [];
    for (const t of sampleTimes(duration, frames, fps)) {
      const seeked = once(video, 'seeked', 15000);
      video.currentTime = t;
      await seeked;
      out.push({ bitmap: await createImageBitmap(video), time: video.currentTime });
    }
    return out;
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}
