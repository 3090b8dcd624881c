/**
 * PNG encoding of the generated demo scenes, synchronous, with fast-png (a maintained encoder).
 * Canvas encoding (toBlob, convertToBlob) is asynchronous and was measured to wait about a second
 * per image in a throttled page; this is deterministic, so the same scene always hashes to the
 * same stored embedding.
 */
import { encode } from 'fast-png';

/** 8-bit RGBA pixels (row-major) as a PNG file. */
export function encodePng(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): Uint8Array {
  return encode({ width, height, data: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), channels: 4, depth: 8 });
}
