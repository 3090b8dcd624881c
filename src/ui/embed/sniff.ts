/**
 * Files the browser gives no type (no extension, or one it does not know: `README`, `notes`) are
 * typed by their first bytes, so an extensionless text file is read as text and a PNG without
 * `.png` as a picture; the file picker offers every type the loaded model takes.
 */
import type { LoadedModel } from '../../clients/embedClient.ts';
import { looksBinary } from '../../embed/textDocs.ts';
import { pathOf, setPath } from './paths.ts';

const starts = (b: Uint8Array, sig: readonly number[], at = 0) => sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The MIME type of content by its first bytes ('' when it is none the page embeds). */
export function typeOfBytes(b: Uint8Array): string {
  if (starts(b, [0x89, 0x50, 0x4e, 0x47])) return 'image/png';
  if (starts(b, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts(b, ascii('GIF8'))) return 'image/gif';
  if (starts(b, ascii('RIFF')) && starts(b, ascii('WEBP'), 8)) return 'image/webp';
  if (starts(b, ascii('BM'))) return 'image/bmp';
  if (starts(b, ascii('%PDF-'))) return 'application/pdf';
  if (starts(b, ascii('ftyp'), 4)) return 'video/mp4';
  if (starts(b, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  return looksLikeText(b) ? 'text/plain' : '';
}

/** Valid UTF-8 that the text pipeline would not refuse as binary (textDocs.looksBinary: the same rule). */
function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0 || looksBinary(b)) return false;
  // A multi-byte character cut at the end of the sample is not a reason to refuse.
  const sample = b.length >= 4096 ? b.subarray(0, 4090) : b;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
    return true;
  } catch {
    return false;
  }
}

/** Gives every untyped file the type of its content (keeping its path); other files pass as they are (a `.bin` stays refused by its type). */
export async function sniffTypes(files: readonly File[]): Promise<File[]> {
  return Promise.all(
    files.map(async (f) => {
      // Typeless, or typed only as unknown bytes because the name has no extension ("README").
      if (f.type !== '' && !(f.type === 'application/octet-stream' && !/\.[^./]+$/.test(f.name))) return f;
      const head = new Uint8Array(await f.slice(0, 4096).arrayBuffer());
      // Content the page does not embed is typed as such, and refused by name rather than tried as a picture.
      const typed = new File([f], f.name, { type: typeOfBytes(head) || 'application/x-unknown-content', lastModified: f.lastModified });
      setPath(typed, pathOf(f));
      return typed;
    }),
  );
}

const PICTURES = 'image/*,video/*,application/pdf,.pdf,.mp4,.mov,.m4v,.webm,.mkv';
const TEXT = 'text/plain,text/markdown,.txt,.md,.markdown,.jsonl,.ndjson';

/** The picker's `accept`: what the loaded model embeds (everything the page reads before one is loaded). */
export function setAccept(model: LoadedModel | undefined): void {
  const input = document.getElementById('files') as HTMLInputElement;
  input.accept = !model ? `${PICTURES},${TEXT}` : model.modality === 'text' ? TEXT : PICTURES;
}
