import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '../../src/core/npy.ts';
import { readSafetensors, writeSafetensors } from '../../src/core/safetensors.ts';
import { importEmbeddings } from '../../src/core/importer.ts';
import { syntheticCorpus } from '../../src/core/synthetic.ts';
import { randomDoc } from '../helpers.ts';
import { noOffsetsNpz, zip } from '../zipFixture.ts';

const root = new URL('../../', import.meta.url).pathname;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** The CLI run with its peak resident memory (MiB) measured by the process itself. */
const cliWithPeak = (...args: string[]) => {
  const file = join(dir, `maxrss-${Math.random()}`);
  const r = spawnSync(process.execPath, ['--import', join(root, 'test/cli/maxRss.mjs'), '--import', 'tsx', join(root, 'cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, MAXRSS_FILE: file },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, peakMiB: Number(readFileSync(file, 'utf8')) / 1024 };
};
const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));

describe('cli compress', () => {
  const doc = randomDoc('t', 50, 8, 4);
  const input = join(dir, 'tokens.npy');
  writeFileSync(input, writeNpy(doc.data, [50, 8]));
  writeFileSync(join(dir, 'sal.npy'), writeNpy(doc.saliency!, [50]));

  it('writes m x d vectors and the cluster of every token', () => {
    const out = join(dir, 'out.npy');
    const asg = join(dir, 'a.json');
    const r = cli('compress', '--method', 'agc', '--budget', '6', '--input', input, '--output', out, '--saliency', join(dir, 'sal.npy'), '--assignments', asg);
    expect(r.stderr).toContain('50 tokens -> 6 vectors');
    expect(r.code).toBe(0);
    expect(readNpy(new Uint8Array(readFileSync(out))).shape).toEqual([6, 8]);
    const a = JSON.parse(readFileSync(asg, 'utf8'));
    expect(a).toHaveLength(50);
    expect(new Set(a).size).toBe(6);
  });

  it('says so when AGC runs without saliency', () => {
    const r = cli('compress', '--method', 'agc', '--budget', '3', '--input', input, '--output', join(dir, 'o2.npy'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/no --saliency given/);
  });

  it('bad arguments and bad files give one line on stderr and a non-zero exit', () => {
    const cases: [string[], number, RegExp][] = [
      [['compress', '--method', 'agc', '--input', input, '--output', 'x.npy'], 2, /compress needs --budget/],
      [['compress', '--method', 'nope', '--budget', '3', '--input', input, '--output', 'x.npy'], 2, /unknown method "nope"/],
      [['compress', '--method', 'agc', '--budget', '0', '--input', input, '--output', 'x.npy'], 2, /--budget must be an integer >= 1/],
      [['compress', '--method', 'agc', '--budget', '3', '--input', join(dir, 'missing.npy'), '--output', 'x.npy'], 2, /no such file/],
      [['compress', '--method', 'agc', '--budget', '3', '--input', join(dir, 'a.json'), '--output', 'x.npy'], 1, /not a NumPy .npy file/],
      [['compress', '--method', 'agc', '--budget', '3', '--input', input, '--output', 'x.npy', '--saliency', input], 1, /expected 50 saliency values/],
      [['compress', '--bogus'], 2, /Unknown option '--bogus'/],
      [['frobnicate'], 2, /unknown command "frobnicate"/],
      [['eval', '--synthetic', 'huge'], 2, /unknown synthetic preset "huge"/],
      [['eval', '--synthetic', 'tiny', '--budgets', '4,x'], 2, /--budgets expects positive integers/],
    ];
    for (const [args, code, message] of cases) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('cli eval', () => {
  it('runs the synthetic grid and writes JSON and CSV that agree with the table', () => {
    const json = join(dir, 'r.json');
    const csv = join(dir, 'r.csv');
    const r = cli('eval', '--synthetic', 'tiny', '--methods', 'none,agc,agc-mean,hpool', '--budgets', '4,8', '--ks', '1,10', '--json', json, '--csv', csv);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^agc-mean\s+4\s+fp32\s+4\.0/m);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.rows).toHaveLength(1 + 3 * 2);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1 + 7);
    const header = lines[0].split(',');
    const row = lines.find((l) => l.startsWith('hpool,'))!.split(',');
    const jsonRow = result.rows.find((x: { method: string }) => x.method === 'hpool');
    expect(Number(row[header.indexOf('ndcg@10')])).toBeCloseTo(jsonRow.metrics['ndcg@10'], 12);
    // 95% bootstrap intervals: every metric's bounds in the CSV and JSON, the headline one in the table.
    expect(header.slice(header.indexOf('ndcg@10'), header.indexOf('ndcg@10') + 3)).toEqual(['ndcg@10', 'ndcg@10_lo', 'ndcg@10_hi']);
    const [lo, hi] = jsonRow.intervals['ndcg@10'];
    expect([Number(row[header.indexOf('ndcg@10_lo')]), Number(row[header.indexOf('ndcg@10_hi')])]).toEqual([lo, hi]);
    expect(lo).toBeLessThanOrEqual(jsonRow.metrics['ndcg@10']);
    expect(hi).toBeGreaterThanOrEqual(jsonRow.metrics['ndcg@10']);
    expect(jsonRow.perQuery['ndcg@10']).toHaveLength(result.queries);
    expect(result.bootstrap.resamples).toBe(1000);
    const tableLine = r.stdout.split('\n').find((l) => l.startsWith('hpool'))!;
    expect(tableLine).toContain(jsonRow.metrics['ndcg@10'].toFixed(3));
    expect(tableLine).toContain(`[${lo.toFixed(3)}, ${hi.toFixed(3)}]`);
    expect(r.stdout).toMatch(/95% CI: percentile bootstrap over \d+ judged queries, 1000 resamples/);
  });

  it('reads a corpus folder of ragged .npy arrays, ids and qrels', () => {
    const corpusDir = mkdtempSync(join(tmpdir(), 'corpus-'));
    const docs = [randomDoc('a', 20, 6, 1), randomDoc('b', 35, 6, 2), randomDoc('c', 12, 6, 3)];
    const all = new Float32Array(67 * 6);
    let offset = 0;
    for (const x of docs) {
      all.set(x.data, offset * 6);
      offset += x.n;
    }
    writeFileSync(join(corpusDir, 'doc_embeddings.npy'), writeNpy(all, [67, 6]));
    writeFileSync(join(corpusDir, 'doc_offsets.npy'), writeNpy(Int32Array.from([0, 20, 55, 67]), [4]));
    writeFileSync(join(corpusDir, 'doc_ids.json'), JSON.stringify(['a', 'b', 'c']));
    // queries: the first 3 tokens of each document, so each query finds its own document
    const q = new Float32Array(9 * 6);
    q.set(docs[0].data.subarray(0, 18), 0);
    q.set(docs[1].data.subarray(0, 18), 18);
    q.set(docs[2].data.subarray(0, 18), 36);
    writeFileSync(join(corpusDir, 'query_embeddings.npy'), writeNpy(q, [9, 6]));
    writeFileSync(join(corpusDir, 'query_offsets.npy'), writeNpy(Int32Array.from([0, 3, 6, 9]), [4]));
    writeFileSync(join(corpusDir, 'qrels.tsv'), 'query\tdoc\tgrade\nq-0\ta\t1\nq-1\tb\t1\nq-2\tc\t1\n');
    const r = cli('eval', '--input', corpusDir, '--methods', 'none,hpool', '--budgets', '4', '--ks', '1');
    expect(r.stderr).toBe('note: no query_ids: queries are named q-0, q-1, ...\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 documents, 67 tokens, d = 6, 3 queries/);
    expect(r.stdout).toMatch(/^none\s+full\s+fp32\s+22\.3\s+\S+\s+1\.000/m);

    writeFileSync(join(corpusDir, 'doc_offsets.npy'), writeNpy(Int32Array.from([0, 20, 55, 60]), [4]));
    const bad = cli('eval', '--input', corpusDir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/doc_offsets: must start at 0 and end at 67/);
  });

  it('imports .npz and safetensors with separate queries and relevance, and scores each storage type', () => {
    const fx = join(import.meta.dirname, '../fixtures/import');
    const r = cli('eval', '--input', join(fx, 'padded.npz'), '--queries', join(fx, 'queries.safetensors'), '--qrels', join(fx, 'qrels.tsv'),
      '--methods', 'none,hpool', '--budgets', '2', '--ks', '1', '--storage', 'fp32,int8,binary');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 documents, 19 tokens, d = 8, 2 queries/);
    expect(r.stdout).toMatch(/^none\s+full\s+int8\s+6\.3\s+76\s/m); // 19 vectors x (8 + 4) bytes / 3 documents
    expect(r.stdout).toMatch(/^hpool\s+2\s+binary\s+2\.0\s+8\s/m);
    const bad = cli('eval', '--input', join(fx, 'ragged.npz'), '--queries', join(fx, 'padded.npz'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('error: padded.npz: query_embeddings (or embeddings) is missing (arrays found: doc_embeddings, doc_mask, doc_ids)\n');
  });
});

describe('cli eval --find-budget', () => {
  it('names, per method, the smallest budget of the grid that keeps the fraction, or says none did; the JSON carries it', () => {
    const json = join(dir, 'finder.json');
    const r = cli('eval', '--synthetic', 'tiny', '--methods', 'none,agc-raw,uniform', '--budgets', '2,4,8', '--find-budget', '0.95', '--json', json);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('smallest budget keeping 95.0% of uncompressed ndcg@10 (fp32; paired bootstrap over queries):');
    expect(r.stdout).toMatch(/^  AGC, raw attention weights: m = \d keeps \d+\.\d% \[/m);
    expect(r.stdout).toMatch(/^  Uniform pool: not within the budgets run \(best \d+\.\d% \[.*\] of uncompressed ndcg@10 at m = 8\)$/m);
    const out = JSON.parse(readFileSync(json, 'utf8'));
    expect(out.budgetFinder.keep).toBe(0.95);
    expect(out.budgetFinder.findings.map((f: { method: string }) => f.method)).toEqual(['agc-raw', 'uniform']);
    expect(cli('eval', '--synthetic', 'tiny', '--methods', 'agc', '--find-budget', '0.95').stderr).toBe('error: --find-budget compares with the uncompressed index: add "none" to --methods\n');
    expect(cli('eval', '--synthetic', 'tiny', '--find-budget', '95').code).toBe(2);
  });
});

describe('cli muvera', () => {
  it('reports the single-vector stage and the re-ranked ones; re-ranking every document equals exhaustive MaxSim', () => {
    const r = cli('muvera', '--synthetic', 'tiny', '--ksim', '3', '--reps', '8', '--dproj', '16', '--candidates', '5,27');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('k_sim = 3, 8 repetitions, d_proj = 16: 1024 values per document (4096 bytes in fp32)');
    const line = (label: string) => r.stdout.split('\n').find((l) => l.startsWith(label))!.slice(36).trim().split(/\s+/);
    const exhaustive = line('exhaustive MaxSim');
    const all = line('FDE, then MaxSim on the top 27');
    expect(all.slice(0, 3)).toEqual([exhaustive[0], exhaustive[1], '100.0%']);
    expect(line('FDE dot product alone')).toHaveLength(4);
  });
});

describe('cli export', () => {
  it('writes an index, its manifest and Qdrant points', () => {
    const fx = join(import.meta.dirname, '../fixtures/import');
    const out = join(dir, 'index.safetensors');
    const manifest = join(dir, 'index.json');
    const points = join(dir, 'points.jsonl');
    const r = cli('export', '--input', join(fx, 'ragged.npz'), '--method', 'agc', '--budget', '3', '--storage', 'fp16', '--output', out, '--manifest', manifest, '--qdrant', points);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/3 documents, 19 tokens -> 9 vectors \(agc, budget 3, fp16\)/);
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    expect(m).toMatchObject({ format: 'mvc-index', method: 'agc', budget: 3, storage: 'fp16', dimension: 8, documents: 3, vectors: 9 });
    expect(m.qdrant.vectors.colbert).toEqual({ size: 8, distance: 'Dot', multivector_config: { comparator: 'max_sim' }, datatype: 'float16' });
    const lines = readFileSync(points, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((p) => p.payload.doc_id)).toEqual(['cat.jpg', 'dog.png', 'clip.mp4']);
  });
});

describe('cli export --muvera', () => {
  it('adds doc_fde (k_sim 2, 3 repetitions, d_proj 4: 3 x 4 x 4 = 48 values per document) and an fde vector per Qdrant point', () => {
    const fx = join(import.meta.dirname, '../fixtures/import');
    const out = join(dir, 'fde.safetensors');
    const points = join(dir, 'fde.jsonl');
    const r = cli('export', '--input', join(fx, 'ragged.npz'), '--method', 'agc', '--budget', '3', '--storage', 'fp32', '--output', out, '--qdrant', points, '--muvera', '2,3,4');
    expect(r.code).toBe(0);
    const t = readSafetensors(new Uint8Array(readFileSync(out))).tensors;
    expect(t.get('doc_fde')!.shape).toEqual([3, 48]);
    expect(t.get('muvera_projections')!.shape).toEqual([3, 4, 8]);
    expect(JSON.parse(readFileSync(points, 'utf8').split('\n')[0]).vector.fde).toHaveLength(48);
    expect(cli('export', '--input', join(fx, 'ragged.npz'), '--method', 'agc', '--budget', '3', '--output', out, '--muvera', '4').stderr).toBe('error: --muvera is k_sim,repetitions[,d_proj], e.g. 4,10,16; got "4"\n');
  });
});

describe('cli export: refusals and the full budget', () => {
  const fx = join(import.meta.dirname, '../fixtures/import');
  it('refuses Qdrant points for binary vectors (Qdrant scores dot products) and writes nothing', () => {
    const out = join(dir, 'bin.safetensors');
    const r = cli('export', '--input', join(fx, 'ragged.npz'), '--method', 'agc', '--budget', '2', '--storage', 'binary', '--output', out, '--qdrant', join(dir, 'bin.jsonl'));
    expect(r.stderr).toBe('error: --qdrant: binary vectors cannot go to Qdrant as a MAX_SIM multivector (it scores dot products); export fp32, fp16 or int8\n');
    expect(r.code).toBe(2);
    expect(readdirSync(dir).filter((f) => f.startsWith('bin.'))).toEqual([]);
  });
  it('--budget full keeps every token: 19 of 19, the same vectors as the input', async () => {
    const out = join(dir, 'full.safetensors');
    const r = cli('export', '--input', join(fx, 'ragged.npz'), '--method', 'agc', '--budget', 'full', '--storage', 'fp32', '--output', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('3 documents, 19 tokens -> 19 vectors (agc, budget full, fp32)');
    const index = await importEmbeddings({ name: 'full.safetensors', bytes: new Uint8Array(readFileSync(out)) });
    const input = await importEmbeddings({ name: 'ragged.npz', bytes: new Uint8Array(readFileSync(join(fx, 'ragged.npz'))) });
    expect(index.docs.map((x) => x.n)).toEqual(input.docs.map((x) => x.n));
    index.docs.forEach((x, i) => expect(Array.from(x.data)).toEqual(Array.from(input.docs[i].data)));
  });
});

describe('cli export: the index evaluates exactly as the method it was built with', () => {
  it('synthetic tiny corpus, AGC at m = 4, int8: the same metrics per query from the index as from compressing on the fly', () => {
    const corpus = syntheticCorpus('tiny', 1);
    const folder = mkdtempSync(join(tmpdir(), 'tiny-'));
    const d = corpus.docs[0].d;
    const total = corpus.docs.reduce((s, x) => s + x.n, 0);
    const all = new Float32Array(total * d);
    const sal = new Float32Array(total);
    const offsets = [0];
    for (const x of corpus.docs) {
      all.set(x.data, offsets.at(-1)! * d);
      sal.set(x.saliency!, offsets.at(-1)!);
      offsets.push(offsets.at(-1)! + x.n);
    }
    writeFileSync(join(folder, 'doc_embeddings.npy'), writeNpy(all, [total, d]));
    writeFileSync(join(folder, 'doc_offsets.npy'), writeNpy(Int32Array.from(offsets), [offsets.length]));
    writeFileSync(join(folder, 'doc_saliency.npy'), writeNpy(sal, [total]));
    writeFileSync(join(folder, 'doc_ids.json'), JSON.stringify(corpus.docs.map((x) => x.id)));
    const qTotal = corpus.queries.reduce((s, q) => s + q.n, 0);
    const q = new Float32Array(qTotal * d);
    const qOff = [0];
    for (const x of corpus.queries) {
      q.set(x.data, qOff.at(-1)! * d);
      qOff.push(qOff.at(-1)! + x.n);
    }
    const side = mkdtempSync(join(tmpdir(), 'tiny-queries-')); // not in the corpus folder, which would read qrels.tsv as its own
    const queries = join(side, 'queries.safetensors');
    writeFileSync(queries, writeSafetensors({ embeddings: { dtype: 'F32', shape: [qTotal, d], data: q }, offsets: { dtype: 'I32', shape: [qOff.length], data: Int32Array.from(qOff) } }, { ids: JSON.stringify(corpus.queries.map((x) => x.id)) }));
    const qrels = join(side, 'qrels.tsv');
    // The folder holds the same queries and judgments as .npy files (a folder brings its own).
    writeFileSync(join(folder, 'query_embeddings.npy'), writeNpy(q, [qTotal, d]));
    writeFileSync(join(folder, 'query_offsets.npy'), writeNpy(Int32Array.from(qOff), [qOff.length]));
    writeFileSync(join(folder, 'query_ids.json'), JSON.stringify(corpus.queries.map((x) => x.id)));
    writeFileSync(qrels, ['query\tdoc\tgrade', ...[...corpus.qrels].flatMap(([qid, j]) => [...j].map(([doc, g]) => `${qid}\t${doc}\t${g}`))].join('\n') + '\n');
    const index = join(side, 'index.safetensors');
    expect(cli('export', '--input', folder, '--method', 'agc', '--budget', '4', '--storage', 'int8', '--output', index).code).toBe(0);
    writeFileSync(join(folder, 'qrels.tsv'), readFileSync(qrels));
    const same = ['--ks', '1,10', '--storage', 'int8'];
    const direct = cli('eval', '--input', folder, '--methods', 'agc', '--budgets', '4', ...same, '--json', join(side, 'a.json'));
    const reread = cli('eval', '--input', index, '--queries', queries, '--qrels', qrels, '--methods', 'none', ...same, '--json', join(side, 'b.json'));
    expect([direct.code, reread.code]).toEqual([0, 0]);
    const a = JSON.parse(readFileSync(join(side, 'a.json'), 'utf8')).rows.find((x: { method: string }) => x.method === 'agc');
    const b = JSON.parse(readFileSync(join(side, 'b.json'), 'utf8')).rows[0];
    expect(a.judgedQueries).toBe(24);
    expect(b.judgedQueries).toBe(24);
    // Not a trivial corpus: AGC at m = 4 loses some nDCG@10 against the uncompressed documents.
    expect(a.metrics['ndcg@10']).toBeLessThan(0.95);
    for (const name of ['recall@1', 'ndcg@1', 'mrr@1', 'recall@10', 'ndcg@10', 'mrr@10']) {
      expect(b.metrics[name]).toBeCloseTo(a.metrics[name], 12);
      expect(b.perQuery[name]).toEqual(a.perQuery[name]);
    }
    expect(b.bytes).toBe(a.bytes);
  });
});

describe('cli: outputs never destroy inputs, exit codes by error type', () => {
  const doc = randomDoc('h', 20, 8, 9);
  const input = join(dir, 'keep.npy');
  const bytes = writeNpy(doc.data, [20, 8]);
  writeFileSync(input, bytes);

  it('refuses an output that is its own input (however it is spelled), and leaves the input intact', () => {
    for (const out of [input, join(dir, '.', 'keep.npy')]) {
      const r = cli('compress', '--method', 'agc', '--budget', '4', '--input', input, '--output', out);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --output .*keep\.npy is also an input; write the output somewhere else\n$/);
    }
    expect(new Uint8Array(readFileSync(input))).toEqual(bytes);
    const r = cli('compress', '--method', 'agc', '--budget', '4', '--input', input, '--output', join(dir, 'x.npy'), '--assignments', join(dir, 'x.npy'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--output and --assignments name the same file');
  });

  it('writes atomically: no temporary file is left beside the output', () => {
    const r = cli('compress', '--method', 'uniform', '--budget', '4', '--input', input, '--output', join(dir, 'atomic.npy'));
    expect(r.code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('exit 2 for a bad setting (unknown storage type, prototype option), 1 for bad data (negative saliency), a folder named as a file', () => {
    expect(cli('eval', '--synthetic', 'tiny', '--storage', 'fp8').code).toBe(2);
    expect(cli('eval', '--synthetic', 'toString').code).toBe(2);
    expect(cli('compress', '--method', 'agc:__proto__=1', '--budget', '4', '--input', input, '--output', join(dir, 'p.npy')).code).toBe(2);
    writeFileSync(join(dir, 'negsal.npy'), writeNpy(new Float32Array(20).fill(-1), [20]));
    const neg = cli('compress', '--method', 'agc', '--budget', '4', '--input', input, '--output', join(dir, 'n.npy'), '--saliency', join(dir, 'negsal.npy'));
    expect(neg.stderr).toMatch(/^error: .*saliency/);
    expect(neg.code).toBe(1);
    const folder = cli('compress', '--method', 'agc', '--budget', '4', '--input', dir, '--output', join(dir, 'f.npy'));
    expect(folder.stderr).toBe(`error: --input: ${dir} is a folder, not a file\n`);
    expect(folder.code).toBe(2);
  });
});

describe('cli: a decompression bomb is stopped at the size its archive declares', () => {
  it('a 0.5 MB .npz whose member inflates to 512 MiB (declared 1,000 bytes) fails fast, naming the member, with memory flat', () => {
    // A valid .npy of 8,388,608 x 16 zeros (512 MiB): its header says so; the ZIP entry says 1,000 bytes.
    const rows = 8_388_608;
    const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, 16), }`.padEnd(117, ' ') + '\n';
    const npy = new Uint8Array(10 + header.length + rows * 16 * 4);
    npy.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(npy.buffer).setUint16(8, header.length, true);
    npy.set(new TextEncoder().encode(header), 10);
    const bomb = zip([{ name: 'doc_embeddings.npy', data: npy, deflate: true, declaredSize: 1000 }]);
    expect(bomb.length).toBeLessThan(1_000_000);
    writeFileSync(join(dir, 'bomb.npz'), bomb);
    const baseline = cliWithPeak('eval', '--synthetic', 'tiny', '--methods', 'none', '--budgets', '2', '--ks', '1');
    expect(baseline.code).toBe(0);
    const r = cliWithPeak('eval', '--input', join(dir, 'bomb.npz'));
    expect(r.stderr).toBe('error: bomb.npz: doc_embeddings: inflates past the 1,000 bytes its archive entry declares; refusing it (damaged, or a decompression bomb)\n');
    expect(r.code).toBe(1);
    // Inflating the member whole would take 512 MiB more than the CLI's own run on a tiny corpus.
    expect(r.peakMiB - baseline.peakMiB).toBeLessThan(64);
  });
});


describe('cli: an .npz of the wrong structure is refused from its headers, before its data is inflated', () => {
  it('a 1 MB .npz whose 1 GiB member has no doc_offsets beside it: refused by name, with memory flat (it took 2.3-2.7 GB)', () => {
    const file = noOffsetsNpz();
    expect(file.length).toBeLessThan(3_000_000);
    writeFileSync(join(dir, 'no-offsets.npz'), file);
    const baseline = cliWithPeak('eval', '--synthetic', 'tiny', '--methods', 'none', '--budgets', '2', '--ks', '1');
    const r = cliWithPeak('eval', '--input', join(dir, 'no-offsets.npz'));
    expect(r.stderr).toBe('error: no-offsets.npz: doc_offsets is missing: a 2-D doc_embeddings [tokens, d] needs offsets [documents + 1] (or give doc_embeddings padded as [documents, length, d] with doc_mask)\n');
    expect(r.code).toBe(1);
    expect(r.peakMiB - baseline.peakMiB).toBeLessThan(64);
  });
});

describe('cli search', () => {
  it('times exhaustive search on 1 and 2 threads and two-stage search; with every document a candidate, two-stage keeps all of exhaustive top 10', () => {
    const out = join(dir, 'search.json');
    const r = cli('search', '--scale', '600', '--d', '32', '--tokens', '16', '--budget', '4', '--storage', 'fp16', '--threads', '2', '--candidates', '600,20', '--json', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = JSON.parse(readFileSync(out, 'utf8'));
    expect(f.documents).toBe(600);
    expect(f.queries).toBe(16);
    expect(f.exhaustive.map((e: { threads: number }) => e.threads)).toEqual([1, 2]);
    // the same documents in the same order on both thread counts, and with C = every document
    expect(f.exhaustive[1].recallAt10).toBe(f.exhaustive[0].recallAt10);
    expect(f.exhaustive[0].recallAt10).toBeGreaterThan(0);
    expect(f.twoStage[0]).toMatchObject({ candidates: 600, recallVsExhaustive: 1, recallAt10: f.exhaustive[0].recallAt10 });
    expect(f.twoStage[1].candidates).toBe(20);
    expect(f.twoStage[1].recallVsExhaustive).toBeLessThanOrEqual(1);
    expect(r.stdout).toMatch(/exhaustive MaxSim, 2 threads: [\d.]+ ms per query/);
    expect(r.stdout).toMatch(/C = +600: +[\d.]+ ms per query, 100\.0% of exhaustive's top 10/);
  });

  it('refuses two corpus sources and a bad thread count', () => {
    expect(cli('search', '--scale', '10', '--synthetic', 'images').stderr).toMatch(/one of --scale, --synthetic or --input/);
    const r = cli('search', '--synthetic', 'images', '--threads', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--threads expects positive integers/);
  });
});
