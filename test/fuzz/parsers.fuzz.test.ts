/**
 * Fuzzing the hand-written parsers with fast-check: valid files (made here from random arrays)
 * are mutated (bytes flipped, cut, inserted, header numbers changed) and every run must end in a
 * result or one of the parsers' own errors, never a raw RangeError/TypeError, a hang or a silent
 * inconsistency: whatever parses has exactly as many values as its shape says, and an unmutated
 * file round-trips to the same numbers. `npm test` runs FUZZ_RUNS (default 150) cases per
 * property; `npm run fuzz` runs 3,000.
 */
import fc from 'fast-check';
import { createFile } from 'mp4box';
import { describe, expect, it, vi } from 'vitest';
import { LimitError } from '../../src/core/limits.ts';
import { NpyError, readNpy, writeNpy } from '../../src/core/npy.ts';
import { readNpz } from '../../src/core/npz.ts';
import { parseQueriesFile, QueriesFileError } from '../../src/core/queriesFile.ts';
import { readSafetensors, TensorFileError, writeSafetensors } from '../../src/core/safetensors.ts';
import { importEmbeddings, ImportError } from '../../src/core/importer.ts';
import { readFileSync } from 'node:fs';
import { analyzeTower, extractHead, GraphStructureError } from '../../src/onnx/graph.ts';
import { decodeModel, encodeModel, OnnxFormatError } from '../../src/onnx/proto.ts';
import { demuxMp4, VideoFileError, WebCodecsUnavailable } from '../../src/media/videoDecode.ts';
import { zip } from '../zipFixture.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const ours = (e: unknown) => e instanceof NpyError || e instanceof TensorFileError || e instanceof LimitError || e instanceof ImportError || e instanceof QueriesFileError;
const report: Record<string, { ok: number; refused: number }> = {};
const tally = (what: string, ok: boolean) => {
  report[what] ??= { ok: 0, refused: 0 };
  report[what][ok ? 'ok' : 'refused']++;
};

/** A random small float32 array and its shape. */
const arrays = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 })).chain(([r, c]) =>
  fc.tuple(fc.constant([r, c]), fc.float32Array({ minLength: r * c, maxLength: r * c, noNaN: true })),
);

/** Mutations of a byte string: flip, overwrite with a digit or quote (headers are text), cut, insert. */
const mutations = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(...'0123456789-.,"[]{}:L eE'.split('').map((c) => c.charCodeAt(0)), 0, 0xff) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  ),
  { minLength: 1, maxLength: 4 },
);

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'set'; at: number; value: number } | { kind: 'cut'; at: number } | { kind: 'insert'; at: number; value: number };

function mutate(bytes: Uint8Array, ms: Mutation[], headerBias: number): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const m of ms) {
    // Most mutations land in the header, where the parsing decisions are.
    const at = b.length === 0 ? 0 : (m.at % 3 === 0 ? m.at : m.at % Math.max(1, Math.min(b.length, headerBias))) % b.length;
    if (m.kind === 'flip' && b.length) b[at] ^= 1 << m.bit;
    else if (m.kind === 'set' && b.length) b[at] = m.value;
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Uint8Array.from([...b.subarray(0, at), m.value, ...b.subarray(at)]);
  }
  return b;
}

const consistent = (shape: number[], length: number) => shape.every((v) => Number.isSafeInteger(v) && v >= 0) && shape.reduce((a, b) => a * b, 1) === length;

describe('fuzzing the file parsers', () => {
  it('.npy: a mutated file parses consistently or is refused with an NpyError', () => {
    fc.assert(
      fc.property(arrays, mutations, ([shape, data], ms) => {
        const file = writeNpy(data, shape);
        expect(Array.from(readNpy(file).data)).toEqual(Array.from(data)); // unmutated: the same numbers
        try {
          const a = readNpy(mutate(file, ms, 128), 'f.npy');
          if (!a.strings) expect(consistent(a.shape, a.data.length)).toBe(true);
          tally('npy', true);
        } catch (e) {
          if (!ours(e)) throw e;
          tally('npy', false);
        }
      }),
      { numRuns: RUNS, seed: 1 },
    );
  });

  it('safetensors: a mutated file parses consistently or is refused with a TensorFileError', () => {
    fc.assert(
      fc.property(arrays, mutations, ([shape, data], ms) => {
        const file = writeSafetensors({ x: { dtype: 'F32', shape: [...shape], data }, off: { dtype: 'I32', shape: [2], data: new Int32Array([0, shape[0]]) } }, { doc_ids: '["a"]' });
        expect(Array.from(readSafetensors(file).tensors.get('x')!.data)).toEqual(Array.from(data));
        try {
          const t = readSafetensors(mutate(file, ms, 200), 'f.safetensors');
          for (const [, a] of t.tensors) expect(consistent(a.shape, a.data.length)).toBe(true);
          tally('safetensors', true);
        } catch (e) {
          if (!ours(e)) throw e;
          tally('safetensors', false);
        }
      }),
      { numRuns: RUNS, seed: 2 },
    );
  });

  it('.npz (stored and deflated): a mutated archive parses consistently or is refused', async () => {
    await fc.assert(
      fc.asyncProperty(arrays, mutations, fc.boolean(), async ([shape, data], ms, deflate) => {
        const npy = writeNpy(data, shape);
        const archive = zipOne('doc_embeddings.npy', npy, deflate);
        expect(Array.from((await readNpz(archive)).get('doc_embeddings')!.data)).toEqual(Array.from(data));
        // Mutations biased to the end of the file, where the ZIP directory is.
        const bytes = mutate(archive.reverse(), ms, 120).reverse();
        archive.reverse();
        try {
          const arrays = await readNpz(bytes, 'f.npz');
          for (const [, a] of arrays) if (!a.strings) expect(consistent(a.shape, a.data.length)).toBe(true);
          tally('npz', true);
        } catch (e) {
          if (!ours(e)) throw e;
          tally('npz', false);
        }
      }),
      { numRuns: RUNS, seed: 3 },
    );
  });

  it('imports: a mutated corpus file gives a whole corpus or an error, never half of one', async () => {
    await fc.assert(
      fc.asyncProperty(arrays, mutations, async ([shape, data], ms) => {
        const [r, c] = shape;
        const file = writeSafetensors({ doc_embeddings: { dtype: 'F32', shape: [r, c], data }, doc_offsets: { dtype: 'I32', shape: [2], data: new Int32Array([0, r]) } });
        try {
          const corpus = await importEmbeddings({ name: 'c.safetensors', bytes: mutate(file, ms, 220) });
          expect(corpus.docs.length).toBeGreaterThan(0);
          for (const d of corpus.docs) expect(d.data.length).toBe(d.n * d.d);
          tally('import', true);
        } catch (e) {
          if (!ours(e)) throw e;
          tally('import', false);
        }
      }),
      { numRuns: RUNS, seed: 4 },
    );
  });

  it('ONNX: a mutated model decodes and is analysed, or is refused with an ONNX or graph error', () => {
    const model = new Uint8Array(readFileSync(new URL('../../public/models/teaching-clip/onnx/vision_model.onnx', import.meta.url)));
    fc.assert(
      fc.property(mutations, fc.nat(), (ms, spread) => {
        try {
          const m = decodeModel(mutate(model, ms, 64 + (spread % model.length)), 'vision_model.onnx');
          const a = analyzeTower(m, 'vision_model.onnx');
          encodeModel(extractHead(m, a));
          tally('onnx', true);
        } catch (e) {
          if (!(e instanceof OnnxFormatError || e instanceof GraphStructureError)) throw e;
          tally('onnx', false);
        }
      }),
      { numRuns: RUNS, seed: 6 },
    );
  });

  it('MP4 headers: a mutated file demuxes to consistent samples or is refused with a video error, never a raw one', () => {
    const file = smallMp4();
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {}); // mp4box logs every bad box
    const clean = demuxMp4(file.slice().buffer);
    expect([clean.codec, clean.width, clean.height, clean.timescale, clean.samples.length]).toEqual(['avc1.42c01e', 64, 48, 1000, 5]);
    expect(clean.samples.map((x) => [x.cts, x.duration, x.is_sync, x.data?.[0]])).toEqual([0, 1, 2, 3, 4].map((i) => [i * 100, 100, i === 0, i + 1]));
    fc.assert(
      fc.property(mutations, fc.nat(), (ms, spread) => {
        try {
          const d = demuxMp4(mutate(file, ms, 64 + (spread % file.length)).slice().buffer);
          expect(d.width > 0 && d.height > 0 && d.timescale > 0 && d.samples.length > 0).toBe(true);
          for (const x of d.samples) expect(Number.isFinite(x.cts) && Number.isFinite(x.duration)).toBe(true);
          tally('mp4', true);
        } catch (e) {
          if (!(e instanceof VideoFileError || e instanceof WebCodecsUnavailable)) throw e;
          tally('mp4', false);
        }
      }),
      { numRuns: RUNS, seed: 7 },
    );
    quiet.mockRestore();
  });

  it('query files: any text parses or is refused with a QueriesFileError naming the file', () => {
    fc.assert(
      fc.property(fc.constantFrom('q.csv', 'q.tsv', 'q.jsonl'), fc.string({ unit: fc.constantFrom('a', 'b', ',', '\t', '\n', '"', '{', '}', ':', '1', '-', ' ', 'é', '\r') , maxLength: 200 }), (name, text) => {
        try {
          const p = parseQueriesFile(name, text);
          for (const [, rel] of p.qrels) for (const [, g] of rel) expect(Number.isFinite(g) && g >= 0).toBe(true);
          tally('queries', true);
        } catch (e) {
          if (!ours(e)) throw e;
          expect((e as Error).message.startsWith(name)).toBe(true);
          tally('queries', false);
        }
      }),
      { numRuns: RUNS, seed: 5 },
    );
    console.log(`fuzz cases (parsed / refused): ${Object.entries(report).map(([k, v]) => `${k} ${v.ok}/${v.refused}`).join(', ')}`);
  });
});

/** A one-member ZIP (stored or deflated). */
const zipOne = (name: string, data: Uint8Array, deflate: boolean) => zip([{ name, data, deflate }]);

/** A valid MP4 written by mp4box: one H.264 track of 64 x 48, five 20-byte samples of 100 ms. */
function smallMp4(): Uint8Array {
  const f = createFile();
  const avcC = new Uint8Array([1, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0, 4, 0x67, 0x42, 0xc0, 0x1e, 1, 0, 4, 0x68, 0xce, 0x3c, 0x80]);
  const id = f.addTrack({ type: 'avc1', width: 64, height: 48, timescale: 1000, avcDecoderConfigRecord: avcC.buffer } as Parameters<typeof f.addTrack>[0]);
  for (let i = 0; i < 5; i++) f.addSample(id, new Uint8Array(20).fill(i + 1), { duration: 100, is_sync: i === 0 } as Parameters<typeof f.addSample>[2]);
  const stream = f.getBuffer();
  return new Uint8Array(stream.buffer, 0, stream.byteLength).slice();
}
