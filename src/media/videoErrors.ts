/** How video decoding fails: the file is not a usable video, or this decoder cannot read it (the page then tries another). */
export class WebCodecsUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebCodecsUnavailable';
  }
}

/** The file is not a video this reader can use (no video track, no samples): a per-file error. */
export class VideoFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VideoFileError';
  }
}
