/**
 * The steps of the experiment grid (experiment.ts): the input checked, the uncompressed reference,
 * one cell's compression, its vectors as a storage type keeps them, its search with fidelity to
 * the reference, and its metrics with bootstrap intervals. Each step is a function of its inputs.
 */
import type { Bootstrap } from './bootstrap.ts';
import { compressDocument, type CompressResult } from './compress.ts';
import { allocateBudgets } from './allocation.ts';
import { overlapAtK, spearman } from './fidelity.ts';
import { maxSimScores, packCorpus, topK, type CorpusLayout, type PackedCorpus, type VectorSet } from './maxsim.ts';
import { evaluateRankings, type Judgments } from './metrics.ts';
import type { MethodSpec } from './methodSpec.ts';
import { validateDocument, type MultiVector } from './multivector.ts';
import { decodeResidual, residualBytes, residualIndex } from './residual.ts';
import { SettingError } from './settingError.ts';
import { RESIDUAL } from './storage/registry.ts';
import { decodeCorpus, isResidual, queryForStorage, storeCorpus, storedBytes, type EvalStorage } from './storage/stored.ts';

/** A document the grid could not use, and why (the rest of the corpus is evaluated). */
export interface DocumentFailure {
  docId: string;
  message: string;
}

/** Documents checked one by one (bad ones listed, the rest kept), query ids unique, one dimension. */
export function checkInput(input: { docs: readonly MultiVector[]; queries: readonly VectorSet[] }, onChecked: (done: number) => void): { docs: MultiVector[]; failures: DocumentFailure[]; d: number } {
  // Rankings are kept by query id: two queries with one id would silently become one.
  const seenIds = new Set<string>();
  for (const q of input.queries) {
    if (seenIds.has(q.id)) throw new SettingError(`query id "${q.id}" appears more than once; every query needs its own id`);
    seenIds.add(q.id);
  }
  const failures: DocumentFailure[] = [];
  const d = input.docs[0]?.d ?? input.queries[0]?.d ?? 0;
  const docs: MultiVector[] = [];
  input.docs.forEach((doc, i) => {
    try {
      validateDocument(doc, d);
      docs.push(doc);
    } catch (e) {
      failures.push({ docId: doc.id, message: (e as Error).message });
    }
    onChecked(i);
  });
  for (const q of input.queries) if (q.d !== d) throw new Error(`query "${q.id}" has dimension ${q.d}, the documents have ${d}`);
  return { docs, failures, d };
}

/** The uncompressed index's scores and rankings (the reference for fidelity), and the pairs token utilisation counts wins on. */
export interface Reference {
  scores: Float32Array[];
  rankings: string[][];
  utilizationPairs: Map<string, ReadonlyMap<string, number>>;
  /** Milliseconds the scores took: the uncompressed fp32 cell reports them (it reuses the scores). */
  searchMs: number;
}

/**
 * The reference: the uncompressed index's rankings from its scores for every query (scoreInChunks,
 * here or on slices of the corpus in a pool of workers, put together in document order).
 */
export function uncompressedReference(docs: readonly MultiVector[], queries: readonly VectorSet[], qrels: ReadonlyMap<string, Judgments>, maxK: number, given: GivenScores): Reference {
  const ids = docs.map((x) => x.id);
  const { scores, ms: searchMs } = given;
  const rankings = scores.map((s) => topK(s, maxK).map((h) => ids[h.doc]));
  // Token utilisation counts wins on relevant pairs; a query without judgments (typed queries on
  // one's own files) has none, which read as "no stored vector is ever used". For such a query the
  // pairs are the uncompressed index's top 10 instead: the documents it should keep finding.
  const utilizationPairs = new Map<string, ReadonlyMap<string, number>>(qrels);
  queries.forEach((q, i) => {
    const rel = qrels.get(q.id);
    if (!rel || ![...rel.values()].some((g) => g > 0)) utilizationPairs.set(q.id, new Map(topK(scores[i], 10).map((h) => [ids[h.doc], 1])));
  });
  return { scores, rankings, utilizationPairs, searchMs };
}

/** Every query's MaxSim scores over a corpus (one Float32Array per query, in document order), and the milliseconds they took. */
export interface GivenScores {
  scores: Float32Array[];
  ms: number;
}

/** Documents packed together at a time for scoring: at most this many vectors' values (16 MiB). */
const CHUNK_VALUES = 4 << 20;

/**
 * Every query's MaxSim scores over documents, packed a chunk at a time (the corpus is not copied
 * whole); each document's score is the kernel's on its own rows, so chunks give the scores a
 * corpus packed whole would. `onChunk(done)` counts the documents scored.
 */
export function scoreInChunks(docs: readonly VectorSet[], queries: readonly VectorSet[], onChunk?: (done: number) => void, chunkValues = CHUNK_VALUES): GivenScores {
  const t0 = performance.now();
  const scores = queries.map(() => new Float32Array(docs.length));
  for (let a = 0; a < docs.length; ) {
    let b = a + 1;
    for (let values = docs[a].n * docs[a].d; b < docs.length && values + docs[b].n * docs[b].d <= chunkValues; b++) values += docs[b].n * docs[b].d;
    const chunk = packCorpus(docs.slice(a, b));
    queries.forEach((q, i) => maxSimScores(q.data, q.n, chunk, scores[i].subarray(a, b)));
    onChunk?.(b);
    a = b;
  }
  return { scores, ms: performance.now() - t0 };
}

/** Every document of a cell compressed (the uncompressed cell keeps them whole); saliency sources counted. The documents are checkInput's (validated once, not once per cell). */
export function compressCell(docs: readonly MultiVector[], spec: MethodSpec, budget: number | null, opts: { seed: number; d: number; signal?: AbortSignal; onDoc(i: number): void; memo?: Map<string, unknown>[] }) {
  const compressed: CompressResult[] = [];
  const sources: Record<string, number> = {};
  const t0 = performance.now();
  // The uncompressed cell keeps the documents' own vectors: read, never written, so not copied.
  if (spec.method === 'none') {
    opts.onDoc(docs.length - 1);
    return { compressed: docs.map((doc) => ({ id: doc.id, d: doc.d, sourceTokens: doc.n, n: doc.n, data: doc.data, assignments: Int32Array.from({ length: doc.n }, (_, i) => i) })), sources, compressMs: 0 };
  }
  const allocated = spec.allocation && budget !== null ? allocateBudgets(docs, budget, spec.allocation) : undefined;
  docs.forEach((doc, i) => {
    opts.signal?.throwIfAborted();
    const c = compressDocument(doc, spec, budget === null ? doc.n : allocated ? allocated[i] : budget, { seed: opts.seed, expectedD: opts.d, memo: opts.memo?.[i], validated: true });
    if (c.saliencySource) sources[c.saliencySource] = (sources[c.saliencySource] ?? 0) + 1;
    compressed.push(c);
    opts.onDoc(i);
  });
  return { compressed, sources, compressMs: performance.now() - t0 };
}

/** The layout of a cell's vectors in fp32 without packing them, their bytes, each document's rows, and the queries. */
export function inPlace(compressed: readonly CompressResult[], queries: readonly VectorSet[]) {
  const offsets = new Int32Array(compressed.length + 1);
  compressed.forEach((c, i) => (offsets[i + 1] = offsets[i] + c.n));
  const d = compressed[0]?.d ?? 0;
  const corpus: CorpusLayout = { ids: compressed.map((c) => c.id), d, offsets };
  return { corpus, bytes: 4 * d * offsets[compressed.length], queries: [...queries], rows: (i: number) => compressed[i].data };
}

/** The vectors as a storage type keeps them (decoded for scoring), its bytes, and the queries as it scores them. */
export function asStored(packed: PackedCorpus, storage: EvalStorage, seed: number, queries: readonly VectorSet[], d: number): { corpus: PackedCorpus; bytes: number; queries: VectorSet[] } {
  if (isResidual(storage)) {
    const residual = residualIndex(packed, RESIDUAL[storage].bits, seed);
    return { corpus: decodeResidual(residual), bytes: residualBytes(residual), queries: [...queries] };
  }
  const stored = storeCorpus(packed, storage);
  return {
    corpus: storage === 'fp32' ? packed : decodeCorpus(stored),
    bytes: storedBytes(stored),
    queries: queries.map((q) => ({ ...q, data: queryForStorage(q.data, q.n, d, storage) })),
  };
}

/** Means and per-query values of the fidelity measures; an undefined value (NaN) is left out of the mean. */
class FidelityAccumulator {
  private sums: Record<string, number> = {};
  private counts: Record<string, number> = {};
  readonly perQuery: Record<string, Float64Array> = {};

  constructor(private readonly queries: number) {}

  add(key: string, v: number, q: number): void {
    // An undefined value (Spearman of a constant score list) is left out of the mean, not counted
    // as 0; its per-query value stays NaN, which the bootstrap also skips.
    this.perQuery[key] ??= new Float64Array(this.queries).fill(NaN);
    this.sums[key] ??= 0;
    this.counts[key] ??= 0;
    if (Number.isNaN(v)) return;
    this.sums[key] += v;
    this.counts[key]++;
    this.perQuery[key][q] = v;
  }

  means(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.sums).map(([key, sum]) => [key, this.counts[key] ? sum / this.counts[key] : NaN]));
  }
}

/**
 * Every query ranked against the cell's corpus, with its fidelity to the reference. `given`: the
 * scores are known already (the reference's for the uncompressed fp32 cell; a pool's, which ran
 * the same kernel on the same vectors): they are used, not computed a second time.
 */
export function searchCell(corpus: CorpusLayout, queries: readonly VectorSet[], ref: Reference, ks: readonly number[], opts: { signal?: AbortSignal; onQuery(i: number): void; given?: GivenScores }) {
  const maxK = Math.max(...ks);
  const rankings = new Map<string, string[]>();
  const fidelity = new FidelityAccumulator(queries.length);
  const t1 = performance.now();
  const here = new Float32Array(corpus.ids.length);
  queries.forEach((q, i) => {
    opts.signal?.throwIfAborted();
    const scores = opts.given ? opts.given.scores[i] : maxSimScores(q.data, q.n, packed(corpus), here);
    const ranking = topK(scores, maxK).map((h) => corpus.ids[h.doc]);
    rankings.set(q.id, ranking);
    for (const k of ks) fidelity.add(`overlap@${k}`, overlapAtK(ranking, ref.rankings[i], k), i);
    fidelity.add('spearman', spearman(scores, ref.scores[i]), i);
    opts.onQuery(i);
  });
  return { rankings, fidelity: fidelity.means(), fidelityPerQuery: fidelity.perQuery, searchMs: opts.given ? opts.given.ms : performance.now() - t1 };
}

function packed(corpus: CorpusLayout): PackedCorpus {
  if (!corpus.data) throw new Error('a corpus without its vectors cannot be scored here');
  return corpus as PackedCorpus;
}

/** The cell's retrieval metrics, each metric's value per query (in input order) and its bootstrap interval. */
export function cellMetrics(rankings: Map<string, string[]>, queries: readonly VectorSet[], qrels: ReadonlyMap<string, Judgments>, ks: readonly number[], fidelityPerQuery: Record<string, Float64Array>, bootstrap: Bootstrap) {
  const summary = evaluateRankings(rankings, qrels, ks);
  const perQuery: Record<string, Float64Array> = {};
  // Indexed like the input queries (the rankings map is keyed by id; ids are normally unique).
  const at = new Map(summary.queryIds.map((id, j) => [id, j]));
  const position = queries.map((q) => at.get(q.id)!);
  for (const name of Object.keys(summary.means)) perQuery[name] = Float64Array.from(position, (j) => summary.perQuery[name][j]);
  Object.assign(perQuery, fidelityPerQuery);
  const intervals: Record<string, [number, number]> = {};
  for (const [name, iv] of Object.entries(bootstrap.intervals(perQuery))) intervals[name] = [iv.lo, iv.hi];
  return { summary, perQuery, intervals };
}
