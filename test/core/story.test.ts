import { describe, expect, it } from 'vitest';
import type { MultiVector } from '../../src/core/multivector.ts';
import { maxSimStory } from '../../src/core/story.ts';

describe('teaching story figures', () => {
  // Four patches in d = 2: two "red" ones (e1, and e1 tilted), two "blue" ones (e2); saliency picks
  // one red and one blue patch as AGC's centroids at m = 2.
  const c = Math.cos(0.3);
  const s = Math.sin(0.3);
  const doc: MultiVector = {
    id: 'p', n: 4, d: 2,
    data: new Float32Array([1, 0, c, s, 0, 1, 0.1, 0.995]),
    saliency: new Float32Array([1, 0.1, 0.9, 0.05]),
  };
  const query = { n: 2, data: new Float32Array([c, s, 0, 1]) }; // token 1 is the tilted red patch exactly

  it('MaxSim token by token, uncompressed and on AGC at m = 2, and the patch that stopped winning', () => {
    const story = maxSimStory(doc, query, 2);
    // Uncompressed: token 0 is won by patch 1 (similarity 1), token 1 by patch 2 (similarity 1).
    expect(Array.from(story.full.winners)).toEqual([1, 2]);
    expect(story.scoreFull).toBeCloseTo(2, 6);
    // AGC: clusters {0, 1} and {2, 3}; the red cluster is the mean of e1 and the tilted vector
    // weighted by the softmax of the saliency (e^1 and e^0.1, the paper's code), normalised; token 0
    // is now won by it with cos(0.3 - angle of the mean) < 1.
    expect(Array.from(story.compressed.assignments)).toEqual([0, 0, 1, 1]);
    const red = [Math.E + Math.exp(0.1) * c, Math.exp(0.1) * s];
    const norm = Math.hypot(red[0], red[1]);
    expect(story.compressed.best[0]).toBeCloseTo((c * red[0] + s * red[1]) / norm, 5);
    expect(story.scoreCompressed).toBeLessThan(story.scoreFull);
    // Both winning patches are still represented by the cluster that wins their token: nothing lost.
    expect(story.lost).toEqual([]);
  });

  it('a patch whose cluster stops winning its token is reported as lost', () => {
    // Patches at 0, 90 and 40 degrees; saliency makes the first two AGC's centroids at m = 2. The
    // 40-degree patch joins the 0-degree cluster (40 < 50 degrees away) and is averaged into it
    // with little weight (softmax weights e^5 against e^0.01: the pooled vector is at 0.25 degrees). A query token at 50 degrees: uncompressed, the 40-degree patch wins
    // (cos 10); compressed, the 90-degree vector (cos 40) beats the pooled ~0-degree one (cos ~50).
    const deg = (a: number) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];
    const three: MultiVector = { id: 'q', n: 3, d: 2, data: new Float32Array([...deg(0), ...deg(90), ...deg(40)]), saliency: new Float32Array([5, 4.5, 0.01]) };
    const story = maxSimStory(three, { n: 1, data: new Float32Array(deg(50)) }, 2);
    expect(Array.from(story.full.winners)).toEqual([2]);
    expect(story.full.best[0]).toBeCloseTo(Math.cos((10 * Math.PI) / 180), 6);
    expect(Array.from(story.compressed.assignments)).toEqual([0, 1, 0]);
    expect(Array.from(story.compressed.winners)).toEqual([1]);
    expect(story.compressed.best[0]).toBeCloseTo(Math.cos((40 * Math.PI) / 180), 6);
    expect(story.lost).toEqual([2]);
  });
});
