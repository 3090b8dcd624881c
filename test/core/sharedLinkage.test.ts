import { describe, expect, it } from 'vitest';
import { compressDocument } from '../../src/core/compress.ts';
import { runExperiment } from '../../src/core/experiment.ts';
import { parseMethodSpec } from '../../src/core/methodSpec.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';

const VARIANTS = ['hpool', 'hpool:protectFirst=true', 'hpool:observations=distance-rows', 'hpool:observations=distance-condensed:input=raw', 'hpool-paper', 'hpool-colpali'];
const BUDGETS = [1, 2, 3, 5, 8, 13, 21];

describe("H-Pool's Ward tree is built once per document and cut at every budget", () => {
  const docs = syntheticCorpus('tiny', 4).docs.slice(0, 6);

  it('gives every budget exactly what a tree of its own gives, for every variant', () => {
    for (const variant of VARIANTS) {
      const spec = parseMethodSpec(variant);
      for (const doc of docs) {
        const memo = new Map<string, unknown>();
        for (const m of BUDGETS) {
          const shared = compressDocument(doc, spec, m, { seed: 1, memo });
          const alone = compressDocument(doc, spec, m, { seed: 1 });
          expect(shared.assignments, `${variant} ${doc.id} m=${m}`).toEqual(alone.assignments);
          expect(shared.data, `${variant} ${doc.id} m=${m}`).toEqual(alone.data);
        }
      }
    }
  });

  it('keeps the tree between budgets (one per protection setting), and the grid shares it', () => {
    const doc = docs[0];
    const memo = new Map<string, unknown>();
    compressDocument(doc, parseMethodSpec('hpool:protectFirst=true'), 8, { memo });
    const tree = memo.get('ward:true');
    expect(Array.isArray(tree)).toBe(true);
    expect((tree as unknown[]).length).toBe(doc.n - 2); // n - 1 tokens after the protected first: n - 2 merges
    compressDocument(doc, parseMethodSpec('hpool:protectFirst=true'), 3, { memo });
    expect(memo.get('ward:true')).toBe(tree);
    // m = 1 cannot protect the first token: the whole document, another tree.
    compressDocument(doc, parseMethodSpec('hpool:protectFirst=true'), 1, { memo });
    expect((memo.get('ward:false') as unknown[]).length).toBe(doc.n - 1);
  });

  it('changes no figure of an experiment', () => {
    const corpus = syntheticCorpus('tiny', 5);
    const methods = ['none', 'hpool', 'hpool-paper', 'agc'].map(parseMethodSpec);
    const grid = runExperiment(corpus, { methods, budgets: [2, 4, 8], ks: [1, 10], seed: 3 });
    // The same rows, each run as a grid of one budget (nothing shared between budgets).
    for (const row of grid.rows.filter((r) => r.budget !== null)) {
      const alone = runExperiment(corpus, { methods: [parseMethodSpec(row.method)], budgets: [row.budget!], ks: [1, 10], seed: 3 }).rows[0];
      expect(row.metrics, `${row.method}@${row.budget}`).toEqual(alone.metrics);
      expect(row.storedVectors).toBe(alone.storedVectors);
      expect(row.utilization).toEqual(alone.utilization);
    }
  });
});

describe("k-means' seeding is drawn once per document and continued for larger budgets", () => {
  const docs = syntheticCorpus('tiny', 6).docs.slice(0, 6);
  it('gives every budget, in any order, exactly what a seeding of its own gives', () => {
    for (const variant of ['kmeans', 'kmeans:iterations=3']) {
      const spec = parseMethodSpec(variant);
      for (const doc of docs) {
        const memo = new Map<string, unknown>();
        for (const m of [3, 8, 2, 13, 5]) {
          const shared = compressDocument(doc, spec, m, { seed: 9, memo });
          const alone = compressDocument(doc, spec, m, { seed: 9 });
          expect(shared.assignments, `${variant} ${doc.id} m=${m}`).toEqual(alone.assignments);
          expect(shared.data, `${variant} ${doc.id} m=${m}`).toEqual(alone.data);
        }
      }
    }
  });
});

describe("AGC's softmaxed saliency and unit vectors (and pooled-similarity saliency) are computed once per document", () => {
  const docs = syntheticCorpus('tiny', 8).docs.slice(0, 5);
  it('gives every budget, in any order, exactly what a run of its own gives, with saliency given or not', () => {
    for (const variant of ['agc', 'agc:saliency=raw', 'agc:weighting=mean', 'agc:centroids=random', 'top-saliency']) {
      const spec = parseMethodSpec(variant);
      for (const given of docs) {
        const doc = variant === 'agc' ? { ...given, saliency: undefined, saliencySource: undefined } : given;
        const memo = new Map<string, unknown>();
        for (const m of [5, 2, 13, 3, 8]) {
          const shared = compressDocument(doc, spec, m, { seed: 2, memo });
          const alone = compressDocument(doc, spec, m, { seed: 2 });
          expect(shared.assignments, `${variant} ${doc.id} m=${m}`).toEqual(alone.assignments);
          expect(shared.data, `${variant} ${doc.id} m=${m}`).toEqual(alone.data);
          expect(shared.saliencySource).toBe(alone.saliencySource);
        }
      }
    }
  });
});

describe("Ward's square distance matrix written from the Gram rows", () => {
  it('holds pdistEuclidean\'s values bit for bit, mirrored, for sizes around the kernel\'s tiles', async () => {
    const { pdistEuclidean, pdistSquare } = await import('../../src/core/ward.ts');
    const { setKernels } = await import('../../src/kernels/space.ts');
    let s = 11;
    const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (const [n, d] of [[2, 3], [7, 5], [33, 16], [70, 9], [129, 4]] as const) {
      const x = Float64Array.from({ length: n * d }, r);
      const condensed = pdistEuclidean(x, n, d);
      // On the kernels, into a fresh matrix and into a used buffer larger than n x n; and without the kernels.
      const used = Float64Array.from({ length: n * n + 5 }, () => 7);
      const squares = [pdistSquare(x, n, d), pdistSquare(x, n, d, used)];
      setKernels(false);
      try {
        squares.push(pdistSquare(x, n, d), pdistSquare(x, n, d, Float64Array.from({ length: n * n }, () => 7)));
      } finally {
        setKernels(true);
      }
      for (const [s, square] of squares.entries())
        for (let i = 0, idx = 0; i < n; i++)
          for (let j = i + 1; j < n; j++, idx++) {
            expect(square[i * n + j], `case ${s} n=${n} (${i}, ${j})`).toBe(condensed[idx]);
            expect(square[j * n + i], `case ${s} n=${n} (${j}, ${i})`).toBe(condensed[idx]);
          }
    }
  });
});

describe("Ward on the rows of 1 - X X^T without forming them (hpool-paper's distances)", () => {
  /** Distances between rows i and j of the n x n matrix 1 - X X^T, by differencing them (the definition). */
  function rowDistance(x: Float64Array, n: number, d: number, i: number, j: number): number {
    let s = 0;
    for (let k = 0; k < n; k++) {
      let gi = 0;
      let gj = 0;
      for (let t = 0; t < d; t++) {
        gi += x[i * d + t] * x[k * d + t];
        gj += x[j * d + t] * x[k * d + t];
      }
      s += (1 - gi - (1 - gj)) ** 2;
    }
    return Math.sqrt(s);
  }
  const points = (n: number, d: number, seed: number, rank = d) => {
    let s = seed;
    const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const basis = Array.from({ length: rank }, () => Array.from({ length: d }, r));
    // Each point a random mix of `rank` directions: X has rank min(n, rank).
    return Float64Array.from({ length: n * d }, (_, idx) => basis.reduce((acc, b, k) => acc + b[idx % d] * Math.sin(seed + k * 7 + Math.floor(idx / d) * 13), 0) * 3);
  };

  it('gives on the kernels the values of the scalar loops, bit for bit (zeros in X included)', async () => {
    const { rowSpace } = await import('../../src/core/methods/hierarchicalPool.ts');
    const { setKernels, kernelsEnabled } = await import('../../src/kernels/space.ts');
    expect(kernelsEnabled()).toBe(true);
    for (const [n, d, rank] of [[40, 12, 12], [25, 10, 3], [9, 20, 20], [130, 16, 16]] as const) {
      const x = points(n, d, n * d, rank);
      for (let i = 0; i < x.length; i += 7) x[i] = 0; // the scalar loops skip zeros; the kernels add them
      const fast = rowSpace(x, n, d);
      setKernels(false);
      try {
        const scalar = rowSpace(x, n, d);
        for (let i = 0; i < n * d; i++) expect(Object.is(fast[i], scalar[i]) || fast[i] === scalar[i], `n=${n} d=${d} value ${i}: ${fast[i]} vs ${scalar[i]}`).toBe(true);
      } finally {
        setKernels(true);
      }
    }
  });

  it('gives points at the rows\' distances, for full-rank, rank-deficient and n < d inputs', async () => {
    const { rowSpace } = await import('../../src/core/methods/hierarchicalPool.ts');
    for (const [n, d, rank] of [[30, 8, 8], [25, 10, 3], [6, 16, 16]] as const) {
      const x = points(n, d, n + d, rank);
      const z = rowSpace(x, n, d);
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++) {
          let s = 0;
          for (let t = 0; t < d; t++) s += (z[i * d + t] - z[j * d + t]) ** 2;
          const want = rowDistance(x, n, d, i, j);
          expect(Math.abs(Math.sqrt(s) - want), `n=${n} d=${d} rank=${rank} (${i}, ${j})`).toBeLessThan(1e-9 * (1 + want));
        }
    }
  });
});
