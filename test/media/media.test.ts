import { afterEach, describe, expect, it, vi } from 'vitest';
import { stallDeadline } from '../../src/media/stall.ts';

describe('stall deadline', () => {
  afterEach(() => vi.useRealTimers());

  it('never fires while progress keeps coming, however long the whole takes; fires ms after the last', async () => {
    vi.useFakeTimers();
    const stall = stallDeadline(30, () => new Error('stalled'));
    let error: Error | undefined;
    stall.expired.catch((e) => (error = e));
    for (let t = 0; t < 1000; t += 20) {
      await vi.advanceTimersByTimeAsync(20); // 1 s in all: a total-time limit of 30 ms would have fired 33 times over
      stall.progress();
    }
    expect(stall.fired).toBe(false);
    await vi.advanceTimersByTimeAsync(29);
    expect(stall.fired).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(stall.fired).toBe(true);
    expect(error?.message).toBe('stalled');
  });

  it('clear stops it; Infinity never fires', async () => {
    vi.useFakeTimers();
    const a = stallDeadline(10, () => new Error('x'));
    a.clear();
    const b = stallDeadline(Infinity, () => new Error('y'));
    await vi.advanceTimersByTimeAsync(1000);
    expect([a.fired, b.fired]).toEqual([false, false]);
  });
});

describe('media element errors in words', async () => {
  const { mediaErrorText } = await import('../../src/media/video.ts');
  it("says what Chromium's pipeline status means, keeping the status only as a hint", () => {
    expect(mediaErrorText({ code: 4, message: 'PipelineStatus::DEMUXER_ERROR_NO_SUPPORTED_STREAMS: FFmpegDemuxer: no supported streams' })).toBe(
      'the browser found no video stream it can play in it (an unsupported codec or container); demuxer error no supported streams',
    );
    expect(mediaErrorText({ code: 3, message: '' })).toBe('the browser could not decode it (damaged, or a codec it cannot play)');
    expect(mediaErrorText(null)).toBe('the browser cannot decode this video');
  });
});
