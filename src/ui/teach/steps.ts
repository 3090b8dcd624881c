/**
 * The teaching view's steps, each a sentence and a drawing on the document's picture: one
 * method's trace (AGC: saliency, centroids, assignment, pooling; H-Pool: Ward's merges), and the
 * whole story for a class (a multi-vector index, MaxSim token by token, why compress, AGC, H-Pool,
 * what was lost). Data comes from the engine worker (core/explain.ts, core/story.ts).
 */
import * as d3 from 'd3';
import type { Explanation } from '../../core/explain.ts';
import type { MultiVector } from '../../core/multivector.ts';
import type { Story } from '../../core/story.ts';
import { clusterColour, type PatchCanvas } from '../patchCanvas.ts';

export interface Step {
  /** A short title, for the step list and the URL's reader. */
  title: string;
  text: string;
  draw(ctx: CanvasRenderingContext2D): void;
}

export function methodSteps(pc: PatchCanvas, doc: MultiVector, t: Explanation): Step[] {
  const { rows, cols, tokens } = pc;
  const n = t.n;
  const bytes = (v: number) => `${v * doc.d * 2} bytes in fp16`;
  // A visual late-interaction page (ColModernVBERT) also keeps its prompt's text tokens, off the picture.
  const prompt = doc.tokenLabels ? n - tokens.length : 0;
  const kept = prompt > 0 ? `, and the prompt's ${prompt} text tokens (shown in the maps, not on the picture) get vectors too` : '';
  const intro: Step = {
    title: 'The picture as vectors',
    text: `The picture as the model sees it, cut into ${rows} x ${cols} ${prompt > 0 ? 'image tokens' : 'patches'}${pc.tiles ? ` per view: the whole picture and ${pc.tiles} tiles of it` : ''}. The model gives every patch its own ${doc.d}-dimensional vector${kept}: ${n} vectors, ${bytes(n)}, for this one picture.`,
    draw: () => pc.base(),
  };
  if (t.method === 'agc') {
    const sal = t.saliency!;
    let max = 0;
    for (const i of tokens) max = Math.max(max, sal[i]);
    const centroidSet = new Set(t.centroids);
    return [
      intro,
      {
        title: 'AGC 1: saliency',
        text:
          doc.saliencySource === 'prompt-attention'
            ? "Step 1, saliency: how strongly the prompt's tokens after the picture (\"Describe the image.\" and the rest) attend to each image token in the model's last layer, the paper's universal query tokens. Bright patches matter to the model; the dark ones are mostly background."
            : 'Step 1, saliency: how strongly the model\'s summary token attends to each patch in its last layer. Bright patches matter to the model; the dark ones are mostly background.',
        draw: (c) => {
          pc.base();
          for (const i of tokens) pc.paint(i, `rgba(0,0,0,${0.75 * (1 - (max > 0 ? sal[i] / max : 0))})`);
        },
      },
      {
        title: 'AGC 2: centroids',
        text: `Step 2, centroids: AGC keeps the ${t.m} most salient patches as the seeds of ${t.m} clusters (numbered, in their cluster colours).`,
        draw: () => {
          pc.base(0.35);
          t.centroids!.forEach((tok, k) => {
            if (!tokens.includes(tok)) return;
            pc.outline(tok, clusterColour(k, t.m), 4);
            pc.label(tok, String(k + 1));
          });
        },
      },
      {
        title: 'AGC 3: assignment',
        text: 'Step 3, assignment: every other patch joins the centroid whose vector is most similar to its own (cosine). Similar-looking patches end up in the same cluster even when they are far apart.',
        draw: () => {
          pc.base();
          pc.fill(t.assignments, t.m, 0.55);
          for (const tok of centroidSet) pc.outline(tok, '#000', 2, 1);
        },
      },
      {
        title: 'AGC 4: pooling',
        text: `Step 4, pooling: each cluster becomes one stored vector, the average of its patches weighted by saliency (after a softmax over the picture's patches, as the paper's code does: the weights come out nearly even). The index keeps ${t.m} vectors instead of ${n}: ${bytes(t.m)}, ${((100 * t.m) / n).toFixed(0)}% of the uncompressed size.`,
        draw: () => {
          pc.base();
          pc.fill(t.assignments, t.m, 0.35);
          pc.borders(t.assignments);
        },
      },
    ];
  }
  return [
    intro,
    ...t.levels!.slice(1).map((level, i, all) => ({
      title: `H-Pool: ${level.k} clusters`,
      text:
        i === all.length - 1
          ? `Ward's method has merged its way down to ${level.k} clusters (the budget). Each becomes one stored vector, the mean of its patches: ${bytes(level.k)} instead of ${bytes(n)}.`
          : `Ward's method repeatedly merges the two clusters whose union is tightest (least growth in within-cluster spread). Now ${level.k} clusters remain; each colour is one cluster.`,
      draw: () => {
        pc.base();
        pc.fill(level.labels, level.k, 0.5);
        pc.borders(level.labels);
      },
    })),
  ];
}

/** Two decimals, with no "-0.00" for a value that rounds to zero. */
const fmt = (v: number) => (Math.abs(v) < 0.005 ? 0 : v).toFixed(2);

/** The compressed score beside the uncompressed one, never "1.75 instead of 1.75": more digits when two do not tell them apart. */
export function scoreSentence(compressed: number, full: number): string {
  if (fmt(compressed) !== fmt(full)) return `The score is ${fmt(compressed)} instead of ${fmt(full)} uncompressed.`;
  if (Math.abs(compressed - full) < 5e-5) return `The score is ${fmt(compressed)}, the same as uncompressed.`;
  return `The score is ${compressed.toFixed(4)} against ${full.toFixed(4)} uncompressed: the same to two decimals.`;
}

/**
 * The story for a class, on one picture and one query: the index, the query's tokens, MaxSim token
 * by token (each token's similarity to every patch, the winner outlined, the running score), why
 * compress, AGC's four steps, H-Pool's clustering at the same m, and what was lost.
 */
export function storySteps(pc: PatchCanvas, doc: MultiVector, s: Story, query: string, tokens: string[]): Step[] {
  const agc = methodSteps(pc, doc, s.agc);
  const n = doc.n;
  const fp16 = (v: number) => v * doc.d * 2;
  const colour = d3.scaleSequential(d3.interpolateInferno);
  const heat = (values: (i: number) => number, lo: number, hi: number) => {
    colour.domain([lo, hi]);
    for (const i of pc.tokens) pc.paint(i, colour(values(i)), 0.6);
  };
  const range = (sims: Float32Array) => [Math.min(...sims.filter(Number.isFinite)), Math.max(...sims.filter(Number.isFinite))];
  const [lo, hi] = range(Float32Array.from([...s.full.sims, ...s.compressed.sims]));
  const name = (t: number) => `"${tokens[t] ?? `token ${t + 1}`}"`;
  let running = 0;
  const perToken: Step[] = Array.from({ length: s.full.qn }, (_, t) => {
    running += s.full.best[t];
    const total = running;
    return {
      title: `MaxSim: ${name(t)}`,
      text: `MaxSim, token ${t + 1} of ${s.full.qn}, ${name(t)}: its vector is compared with every patch's vector (brighter = more similar). The most similar patch wins (outlined), with similarity ${fmt(s.full.best[t])}; the others do not count. The score adds up each token's winner: ${fmt(total)} so far${t === s.full.qn - 1 ? ' — the document\'s score for this query' : ''}.`,
      draw: () => {
        pc.base();
        heat((i) => s.full.sims[t * n + i], lo, hi);
        pc.outline(s.full.winners[t], '#00e5ff', 3, 1);
      },
    };
  });
  const lostText = s.lost.length
    ? `${s.lost.length} patch${s.lost.length > 1 ? 'es' : ''} (outlined in red) won a token before and no longer do${s.lost.length > 1 ? '' : 'es'}: ${s.lost.length > 1 ? 'their clusters were' : 'its cluster was'} averaged away from the word.`
    : 'Every patch that won a token before still wins it through its cluster: for this query, nothing was lost but a little similarity.';
  return [
    agc[0],
    {
      title: 'The query as vectors',
      text:
        `The query "${query}" becomes ${s.full.qn} vectors, one per word the model knows: ${tokens.join(' · ')}. A multi-vector index keeps one vector per patch and compares query words with patches one by one (late interaction), instead of squeezing each side into one vector.` +
        (s.scoreFull < 0.05 ? ' Note: no patch of this picture is similar to these words (the teaching model misses small or mixed-colour shapes), so the steps below show scores near 0: pick another picture or query to see MaxSim at work.' : ''),
      draw: () => pc.base(),
    },
    ...perToken,
    {
      title: 'Why compress',
      text: `That precision costs memory: this one picture is ${n} vectors, ${fp16(n).toLocaleString('en')} bytes in fp16; a million such pictures take ${((fp16(n) * 1e6) / 2 ** 30).toFixed(1)} GiB. Compression keeps a fixed budget of m = ${s.agc.m} vectors per picture: ${fp16(s.agc.m).toLocaleString('en')} bytes. Which ${s.agc.m}? Attention-guided clustering (AGC) decides in four steps.`,
      draw: () => {
        pc.base();
        for (const i of pc.tokens) pc.outline(i, 'rgba(0,0,0,0.35)', 1, 1);
      },
    },
    ...agc.slice(1),
    {
      title: 'H-Pool instead',
      text: `Another way to ${s.hpool.m} vectors: hierarchical pooling (Ward's method, H-Pool) ignores saliency and merges the most similar patches until ${s.hpool.m} clusters remain. Compare the clusters with AGC's: H-Pool spends clusters on large areas, AGC on what the model attends to.`,
      draw: () => {
        pc.base();
        pc.fill(s.hpool.assignments, s.hpool.m, 0.5);
        pc.borders(s.hpool.assignments);
      },
    },
    {
      title: 'What was lost',
      text: `The same query on AGC's ${s.compressed.m} vectors: each patch now shows the similarity of its cluster's vector to the whole query (mean over tokens). ${scoreSentence(s.scoreCompressed, s.scoreFull)} ${lostText}`,
      draw: () => {
        pc.base();
        heat((i) => {
          let sum = 0;
          for (let t = 0; t < s.compressed.qn; t++) sum += s.compressed.sims[t * n + i];
          return sum / s.compressed.qn;
        }, lo, hi);
        pc.borders(s.compressed.assignments);
        for (const i of s.lost) pc.outline(i, '#e00000', 3, 1);
      },
    },
  ];
}
