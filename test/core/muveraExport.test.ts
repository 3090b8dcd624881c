import { describe, expect, it } from 'vitest';
import { exportFiles } from '../../src/core/exportIndex.ts';
import { importEmbeddings } from '../../src/core/importer.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { readSafetensors } from '../../src/core/safetensors.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';

/**
 * MUVERA's document encoding written out from the paper's description, for this test only: per
 * repetition, bucket = the bits of (hyperplane_i . x > 0); project (if given); mean per bucket; an
 * empty bucket takes the vector whose bucket differs in the fewest bits (the first on ties).
 */
function referenceFde(x: Float32Array, n: number, d: number, planes: Float32Array, proj: Float32Array | undefined, kSim: number, reps: number, dProj: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < reps; r++) {
    const bucket = (i: number) => {
      let b = 0;
      for (let h = 0; h < kSim; h++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += planes[(r * kSim + h) * d + k] * x[i * d + k];
        if (s > 0) b += 2 ** h;
      }
      return b;
    };
    const projected = (i: number) =>
      proj ? Array.from({ length: dProj }, (_, j) => { let s = 0; for (let k = 0; k < d; k++) s += proj[(r * dProj + j) * d + k] * x[i * d + k]; return s; }) : Array.from(x.subarray(i * d, i * d + d));
    const bits = Array.from({ length: n }, (_, i) => bucket(i));
    for (let b = 0; b < 2 ** kSim; b++) {
      const members = bits.flatMap((v, i) => (v === b ? [i] : []));
      if (members.length) {
        const sum = new Array(dProj).fill(0);
        for (const i of members) projected(i).forEach((v, j) => (sum[j] += v));
        out.push(...sum.map((v) => v / members.length));
      } else {
        const diff = (v: number) => { let c = 0; for (let t = v ^ b; t; t >>= 1) c += t & 1; return c; };
        let best = 0;
        for (let i = 1; i < n; i++) if (diff(bits[i]) < diff(bits[best])) best = i;
        out.push(...projected(best));
      }
    }
  }
  return out;
}

describe('MUVERA encodings exported with an index', () => {
  const corpus = syntheticCorpus('tiny', 2);
  const d = corpus.docs[0].d;
  for (const [storage, dProj] of [['fp16', 8], ['res2', d]] as const) {
    it(`${storage}, d_proj = ${dProj}: doc_fde is each stored document's encoding, recomputed here from the exported matrices`, async () => {
      const { files } = exportFiles(corpus.docs, { d, spec: parseMethodSpec('agc'), budget: 6, storage, seed: 3 }, 'synthetic', { kSim: 3, reps: 2, dProj, seed: 3 });
      const D = 2 * 8 * dProj;
      expect(files.manifest.muvera).toMatchObject({ kSim: 3, reps: 2, dProj, seed: 3, dimension: D });
      const t = readSafetensors(files.safetensors).tensors;
      expect(t.get('doc_fde')!.shape).toEqual([corpus.docs.length, D]);
      expect(t.get('muvera_hyperplanes')!.shape).toEqual([2, 3, d]);
      expect(t.has('muvera_projections')).toBe(dProj < d);
      const back = await importEmbeddings({ name: 'index.safetensors', bytes: files.safetensors });
      expect(back.notes).toEqual([]); // the MUVERA arrays are known, not "ignored"
      const planes = t.get('muvera_hyperplanes')!.data as Float32Array;
      const proj = t.get('muvera_projections')?.data as Float32Array | undefined;
      const fde = t.get('doc_fde')!.data as Float32Array;
      back.docs.forEach((doc, i) => {
        const want = referenceFde(doc.data, doc.n, d, planes, proj, 3, 2, dProj);
        const got = Array.from(fde.subarray(i * D, (i + 1) * D));
        got.forEach((v, j) => expect(Math.abs(v - want[j]), `${doc.id} value ${j}`).toBeLessThan(1e-5));
      });
      // Qdrant: the collection has an "fde" dense vector and every point carries it.
      expect(JSON.parse(files.manifestJson).qdrant.vectors.fde).toEqual({ size: D, distance: 'Dot' });
      const first = JSON.parse([...files.qdrant!()][0]);
      expect(first.vector.fde).toHaveLength(D);
      expect(Math.abs(first.vector.fde[0] - fde[0])).toBeLessThan(1e-6);
    });
  }
  it('without MUVERA nothing of it is written', () => {
    const { files } = exportFiles(corpus.docs, { d, spec: parseMethodSpec('agc'), budget: 6, storage: 'fp16', seed: 3 }, 'synthetic');
    expect(files.manifest.muvera).toBeUndefined();
    expect(readSafetensors(files.safetensors).tensors.has('doc_fde')).toBe(false);
    expect(JSON.parse(files.manifestJson).qdrant.vectors.fde).toBeUndefined();
  });
});
