import { describe, expect, it } from 'vitest';
import type { MultiVector } from '../../../src/core/multivector.ts';
import { assignPaths, Corpora, corpusName, relativeToFolder, fileSignature, fingerprintOf, isFingerprint, keepDocs, withSuffix } from '../../../src/ui/embed/corpora.ts';
import { typeOfBytes } from '../../../src/ui/embed/sniff.ts';

const teaching = { id: 'teaching-clip', label: 'Teaching model' };
const clip = { id: 'clip-b32', label: 'CLIP' };
const doc = (id: string, values: number[]): MultiVector => ({ id, n: 1, d: values.length, data: Float32Array.from(values) });

describe('corpora: paths, names and where a batch goes', () => {
  it('puts the suffix before the extension and after the folder', () => {
    expect(withSuffix('a/README.md', 2)).toBe('a/README (2).md');
    expect(withSuffix('README', 3)).toBe('README (3)');
    expect(withSuffix('docs.v2/notes', 2)).toBe('docs.v2/notes (2)');
    expect(withSuffix('.hidden', 2)).toBe('.hidden (2)');
  });

  it('keeps two different files of one path apart, and lets the same file replace itself', () => {
    const taken = new Map<string, string>();
    const a = 'signature of one README.md';
    const b = 'signature of another README.md';
    // Two folders: their paths differ, so nothing is suffixed.
    expect(assignPaths(taken, [{ path: 'x/README.md', signature: a }, { path: 'y/README.md', signature: b }])).toEqual(['x/README.md', 'y/README.md']);
    // Two files named alike picked one after the other: the second is suffixed, not a replacement.
    expect(assignPaths(taken, [{ path: 'README.md', signature: a }])).toEqual(['README.md']);
    expect(assignPaths(taken, [{ path: 'README.md', signature: b }])).toEqual(['README (2).md']);
    // The same file again keeps its id (its document is replaced); a third file takes the next suffix.
    expect(assignPaths(taken, [{ path: 'README.md', signature: a }, { path: 'README.md', signature: 'c' }])).toEqual(['README.md', 'README (3).md']);
    // Two entries of one batch with one path and one signature (the same file twice) still differ.
    expect(assignPaths(taken, [{ path: 'z.png', signature: 's' }, { path: 'z.png', signature: 's' }])).toEqual(['z.png', 'z (2).png']);
  });

  it('makes paths relative to one picked or dropped folder, and keeps them whole across several', () => {
    expect(relativeToFolder(['docs/a.pdf', 'docs/sub/b.png'])).toEqual(['a.pdf', 'sub/b.png']);
    expect(relativeToFolder(['x/README.md', 'y/README.md'])).toEqual(['x/README.md', 'y/README.md']);
    expect(relativeToFolder(['a.png', 'docs/b.png'])).toEqual(['a.png', 'docs/b.png']);
    expect(relativeToFolder(['a.png'])).toEqual(['a.png']);
  });

  it('signs a file by its size and the SHA-256 of its ends, not its date', async () => {
    const bytes = new TextEncoder().encode('abc');
    // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad (FIPS 180-2, appendix B.1).
    expect(await fileSignature(new File([bytes], 'a.txt', { lastModified: 1 }))).toBe('3:ba7816bf8f01cfea414140de');
    expect(await fileSignature(new File([bytes], 'b.txt', { lastModified: 2 }))).toBe('3:ba7816bf8f01cfea414140de');
    // A large file: only its two ends are read, so a change in the middle is not seen, one at an end is.
    const big = new Uint8Array(300_000);
    const s0 = await fileSignature(new Blob([big]));
    big[150_000] = 1;
    expect(await fileSignature(new Blob([big]))).toBe(s0);
    big[299_999] = 1;
    expect(await fileSignature(new Blob([big]))).not.toBe(s0);
  });

  it('names a corpus after its folder, or its first file and a count', () => {
    expect(corpusName(['docs/a.pdf', 'docs/sub/b.png'])).toBe('docs/');
    expect(corpusName(['docs/a.pdf', 'other/b.png'])).toBe('docs/a.pdf and 1 more');
    expect(corpusName(['libtasn1.pdf'])).toBe('libtasn1.pdf');
    expect(corpusName(['a.png', 'b.png', 'c.png'])).toBe('a.png and 2 more');
  });

  it('starts a new corpus for files dropped on the demo, adds to one of ones own, and keeps the demo apart', () => {
    const c = new Corpora();
    const demo = c.target({ demo: true, model: teaching, intoCurrent: false, paths: [] });
    expect(demo.name).toBe('Demo scenes');
    const mine = c.target({ demo: false, model: teaching, intoCurrent: false, paths: ['a.png'] });
    expect(mine).not.toBe(demo);
    expect(c.current()).toBe(mine);
    expect(c.target({ demo: false, model: teaching, intoCurrent: true, paths: ['b.png'] })).toBe(mine);
    // The demo button goes back to the demo corpus of the same model, and makes it current.
    expect(c.target({ demo: true, model: teaching, intoCurrent: true, paths: [] })).toBe(demo);
    expect(c.current()).toBe(demo);
    // "Add to the corpus shown" on the demo puts files in the demo corpus.
    expect(c.target({ demo: false, model: teaching, intoCurrent: true, paths: ['c.png'] })).toBe(demo);
    // Another model never shares a corpus: its vectors live in another space.
    const other = c.target({ demo: false, model: clip, intoCurrent: true, paths: ['d.png'] });
    expect([demo, mine]).not.toContain(other);
    expect(c.target({ demo: true, model: clip, intoCurrent: true, paths: [] })).not.toBe(demo);
    expect(c.list).toHaveLength(4);
    c.remove(other.key);
    expect(c.list).toHaveLength(3);
  });

  it('replaces a document embedded again and keeps pictures by id', () => {
    const c = new Corpora().target({ demo: false, model: teaching, intoCurrent: false, paths: ['a'] });
    const pic = new Blob(['x']);
    keepDocs(c, [doc('a', [1]), doc('b', [2])], (id) => (id === 'a' ? pic : undefined));
    keepDocs(c, [doc('a', [3])], () => undefined);
    expect(c.docs.map((d) => [d.id, d.data[0]])).toEqual([['a', 3], ['b', 2]]);
    expect(c.sources.get('a')).toBe(pic);
  });

  it('fingerprints a corpus by its contents, not their order', async () => {
    const f1 = await fingerprintOf([doc('a', [1, 2]), doc('b', [3, 4])]);
    expect(isFingerprint(f1)).toBe(true);
    expect(await fingerprintOf([doc('b', [3, 4]), doc('a', [1, 2])])).toBe(f1);
    expect(await fingerprintOf([doc('a', [1, 2]), doc('b', [3, 5])])).not.toBe(f1);
    expect(await fingerprintOf([doc('a', [1, 2]), doc('c', [3, 4])])).not.toBe(f1);
    expect(isFingerprint('demo')).toBe(false);
  });
});

describe('files without a type are typed by their first bytes', () => {
  const bytes = (...parts: (number[] | string)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));
  it('knows pictures, PDFs and videos by their signatures', () => {
    expect(typeOfBytes(bytes([0x89], 'PNG\r\n'))).toBe('image/png');
    expect(typeOfBytes(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(typeOfBytes(bytes('GIF89a'))).toBe('image/gif');
    expect(typeOfBytes(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('image/webp');
    expect(typeOfBytes(bytes('%PDF-1.7\n'))).toBe('application/pdf');
    expect(typeOfBytes(bytes([0, 0, 0, 0x20], 'ftypisom'))).toBe('video/mp4');
    expect(typeOfBytes(bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f]))).toBe('video/webm');
  });
  it('reads UTF-8 text without control bytes as text, and refuses binary', () => {
    expect(typeOfBytes(new TextEncoder().encode('# README\n\nThis is a file — with UTF-8.\r\n\tindented'))).toBe('text/plain');
    expect(typeOfBytes(bytes('text', [0], 'more'))).toBe('');
    expect(typeOfBytes(bytes([0xc3, 0x28]))).toBe(''); // invalid UTF-8
    expect(typeOfBytes(new Uint8Array(0))).toBe('');
    // A character cut by the 4096-byte sample does not make text binary.
    const long = new TextEncoder().encode('é'.repeat(3000)).subarray(0, 4096);
    expect(typeOfBytes(long)).toBe('text/plain');
  });
});

describe('a corpus says how it was embedded', () => {
  it('in words, from the rail settings', async () => {
    const { embedSettingsText } = await import('../../../src/ui/embed/corpora.ts');
    expect(embedSettingsText({ tiles: 1, pdfTiles: 3, pdfSize: 1024, frames: 24, fps: 0 })).toBe('images: one view; PDF pages: global view + 3 x 3 tiles at 1024 px; videos: 24 frames');
    expect(embedSettingsText({ tiles: 2, pdfTiles: 1, pdfSize: 512, frames: 6, fps: 2.5 })).toBe('images: global view + 2 x 2 tiles; PDF pages: one view at 512 px; videos: 2.5 fps, at most 6 frames');
  });
});
