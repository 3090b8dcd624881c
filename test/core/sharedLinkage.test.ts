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
