/**
 * Fuzzing the hand-written parsers with fast-check: valid files (made here from random arrays)
 * are mutated (bytes flipped, cut, inserted, header numbers changed) and every run must end in a
 * result or one of the parsers' own errors, never a raw RangeError/TypeError, a hang or a silent
 * inconsistency: whatever parses has exactly as many values as its shape says, and an unmutated
 * file round-trips to the same numbers. `npm test` runs FUZZ_RUNS (default 150) cases per
 * property; `npm run fuzz` runs 3,000.
 */
import fc from 'fast-check';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LimitError } from '../../src/core/limits.ts';
import { NpyError, readNpy, writeNpy } from '../../src/core/npy.ts';
import { readNpz } from '../../src/core/npz.ts';
import { parseQueriesFile, QueriesFileError } from '../../src/core/queriesFile.ts';
import { readSafetensors, TensorFileError, writeSafetensors } from '../../src/core/safetensors.ts';
import { importEmbeddings, ImportError } from '../../src/core/importer.ts';
import { readFileSync } from 'node:fs';
import { analyzeTower, extractHead, GraphStructureError } from '../../src/onnx/graph.ts';
import { decodeModel, encodeModel, OnnxFormatError } from '../../src/onnx/proto.ts';

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
function zipOne(name: string, data: Uint8Array, deflate: boolean): Uint8Array {
  const body = deflate ? new Uint8Array(deflateRawSync(data)) : data;
  const n = new TextEncoder().encode(name);
  const out = new Uint8Array(30 + n.length + body.length + 46 + n.length + 22);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(8, deflate ? 8 : 0, true);
  v.setUint32(18, body.length, true);
  v.setUint32(22, data.length, true);
  v.setUint16(26, n.length, true);
  out.set(n, 30);
  out.set(body, 30 + n.length);
  const c = 30 + n.length + body.length;
  v.setUint32(c, 0x02014b50, true);
  v.setUint16(c + 10, deflate ? 8 : 0, true);
  v.setUint32(c + 20, body.length, true);
  v.setUint32(c + 24, data.length, true);
  v.setUint16(c + 28, n.length, true);
  out.set(n, c + 46);
  const e = c + 46 + n.length;
  v.setUint32(e, 0x06054b50, true);
  v.setUint16(e + 8, 1, true);
  v.setUint16(e + 10, 1, true);
  v.setUint32(e + 12, 46 + n.length, true);
  v.setUint32(e + 16, c, true);
  return out;
}
