import { describe, expect, it } from 'vitest';
import { maxSimScores, packCorpus } from '../../../src/core/maxsim.ts';
import {
  bytesPerVector, decodeCorpus, encodeVectors, parseStorageList, queryForStorage, scoreStored, scoreStoredBatch, storeCorpus,
  storedBytes, STORAGE_TYPES,
} from '../../../src/core/storage/stored.ts';
import { randomDoc } from '../../helpers.ts';

const docs = Array.from({ length: 12 }, (_, i) => randomDoc(`d${i}`, 3 + (i % 5), 40, 10 + i, false));
const corpus = packCorpus(docs);
const query = randomDoc('q', 5, 40, 99, false).data;

describe('storage types', () => {
  it('counts bytes per vector as stored', () => {
    expect(bytesPerVector('fp32', 128)).toBe(512);
    expect(bytesPerVector('fp16', 128)).toBe(256);
    expect(bytesPerVector('int8', 128)).toBe(132);
    expect(bytesPerVector('binary', 128)).toBe(16);
    expect(bytesPerVector('binary', 40)).toBe(8);
    for (const s of STORAGE_TYPES) {
      const stored = storeCorpus(corpus, s);
      expect(storedBytes(stored)).toBe(bytesPerVector(s, 40) * corpus.offsets[corpus.ids.length]);
    }
  });

  it('int8 keeps every value within half a quantisation step', () => {
    const { vectors, scales } = encodeVectors(corpus.data, 10, 40, 'int8');
    for (let r = 0; r < 10; r++) {
      for (let k = 0; k < 40; k++) {
        const x = corpus.data[r * 40 + k];
        expect(Math.abs((vectors as Int8Array)[r * 40 + k] * scales![r] - x)).toBeLessThanOrEqual(scales![r] / 2 + 1e-7);
      }
    }
  });

  it('fp16 is within half-precision rounding', () => {
    const dec = decodeCorpus(storeCorpus(corpus, 'fp16'));
    for (let i = 0; i < dec.data.length; i++) expect(Math.abs(dec.data[i] - corpus.data[i])).toBeLessThanOrEqual(Math.abs(corpus.data[i]) * 2 ** -11 + 1e-7);
  });

  it('scores from the compact form equal scores over the decoded index', () => {
    for (const s of STORAGE_TYPES) {
      const stored = storeCorpus(corpus, s);
      const direct = scoreStored(query, 5, stored);
      const decoded = maxSimScores(queryForStorage(query, 5, 40, s), 5, decodeCorpus(stored));
      for (let i = 0; i < direct.length; i++) expect(direct[i]).toBeCloseTo(decoded[i], 4);
    }
  });

  it('fp32 storage scores exactly like the plain index; binary scores a token in [-1, 1]', () => {
    expect(Array.from(scoreStored(query, 5, storeCorpus(corpus, 'fp32')))).toEqual(Array.from(maxSimScores(query, 5, corpus)));
    const bin = scoreStored(query, 5, storeCorpus(corpus, 'binary'));
    for (const v of bin) expect(Math.abs(v)).toBeLessThanOrEqual(5);
    // The query scored against its own binarised tokens matches every token perfectly.
    const self = storeCorpus(packCorpus([{ id: 'q', n: 5, d: 40, data: query }]), 'binary');
    expect(scoreStored(query, 5, self)[0]).toBe(5);
  });

  it('scores a batch of queries exactly as one query at a time', () => {
    const queries = [5, 1, 3].map((n, i) => ({ n, data: randomDoc(`q${i}`, n, 40, 50 + i, false).data }));
    for (const s of STORAGE_TYPES) {
      const stored = storeCorpus(corpus, s);
      const batch = scoreStoredBatch(queries.map((q) => ({ n: q.n, data: queryForStorage(q.data, q.n, 40, s) })), stored);
      queries.forEach((q, i) => expect(Array.from(batch[i])).toEqual(Array.from(scoreStored(queryForStorage(q.data, q.n, 40, s), q.n, stored))));
    }
  });

  it('parses storage lists and rejects unknown names', () => {
    expect(parseStorageList('fp16, int8,fp16')).toEqual(['fp16', 'int8']);
    expect(() => parseStorageList('fp8')).toThrow(/unknown storage type "fp8"/);
  });
});
