import { describe, expect, it } from 'vitest';
import { demoCorpus, renderScene } from '../../src/demo/scenes.ts';
import { inputSize, modelView, resampleRGBA, rgbaToPixelValues, viewRects } from '../../src/embed/preprocess.ts';
import { chooseDtype, folderFiles, getModel } from '../../src/embed/registry.ts';
import { sampleTimes } from '../../src/media/video.ts';

const clip = { do_center_crop: true, crop_size: { height: 224, width: 224 }, size: { shortest_edge: 224 }, image_mean: [0.48145466, 0.4578275, 0.40821073], image_std: [0.26862954, 0.26130258, 0.27577711], rescale_factor: 1 / 255, do_rescale: true, do_normalize: true };
const siglip = { size: { height: 224, width: 224 }, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5], rescale_factor: 1 / 255, do_rescale: true, do_normalize: true };

describe('preprocessing follows preprocessor_config.json', () => {
  it('input size: crop size for CLIP, size for SigLIP', () => {
    expect(inputSize(clip)).toBe(224);
    expect(inputSize(siglip)).toBe(224);
    expect(() => inputSize({})).toThrow(/no usable size/);
  });

  it('CLIP centre-crops the shortest side; SigLIP squashes the whole image', () => {
    expect(modelView({ x: 0, y: 0, w: 400, h: 200 }, clip)).toEqual({ x: 100, y: 0, w: 200, h: 200 });
    expect(modelView({ x: 0, y: 0, w: 400, h: 200 }, siglip)).toEqual({ x: 0, y: 0, w: 400, h: 200 });
  });

  it('multi-crop: the global view, then k x k tiles in row-major order', () => {
    const v = viewRects(400, 200, siglip, 2);
    expect(v).toHaveLength(5);
    expect(v[0]).toEqual({ x: 0, y: 0, w: 400, h: 200 });
    expect(v[1]).toEqual({ x: 0, y: 0, w: 200, h: 100 });
    expect(v[4]).toEqual({ x: 200, y: 100, w: 200, h: 100 });
    expect(viewRects(400, 200, clip, 2)[2]).toEqual({ x: 250, y: 0, w: 100, h: 100 });
  });

  it('rescale and normalise into CHW planes', () => {
    const rgba = new Uint8ClampedArray(2 * 2 * 4);
    rgba.set([255, 0, 128, 255], 0); // pixel (0,0)
    const out = new Float32Array(3 * 4);
    rgbaToPixelValues(rgba, 2, siglip, out);
    expect(out[0]).toBeCloseTo(1, 6); // R plane, pixel 0: (1 - 0.5) / 0.5
    expect(out[4]).toBeCloseTo(-1, 6); // G plane
    expect(out[8]).toBeCloseTo((128 / 255 - 0.5) / 0.5, 6); // B plane
    expect(out[1]).toBeCloseTo(-1, 6); // R of a black pixel
    expect(() => rgbaToPixelValues(rgba, 3, siglip, out)).toThrow(/expected 3x3 RGBA/);
  });

  it('bilinear resampling keeps flat colour and halves a 2x image', () => {
    const src = new Uint8ClampedArray(4 * 4 * 4).fill(200);
    const out = resampleRGBA(src, 4, 4, { x: 0, y: 0, w: 4, h: 4 }, 2);
    expect([...out]).toEqual(new Array(16).fill(200));
  });
});

describe('demo scenes', () => {
  it('are deterministic from the seed and relevance follows the scene', () => {
    const a = demoCorpus(20, 5);
    const b = demoCorpus(20, 5);
    expect(a.scenes).toEqual(b.scenes);
    expect(demoCorpus(20, 6).scenes).not.toEqual(a.scenes);
    for (const q of a.queries) {
      const [colour, row, col] = q.id.split('-');
      for (const s of a.scenes) {
        const has = s.shapes.some((x) => x.colour === colour && x.row === row && x.col === col);
        expect(a.qrels.get(q.id)!.get(s.id) === 1).toBe(has);
      }
    }
  });

  it('renders the shape in its quadrant on a white background', () => {
    const scene = { id: 's', shapes: [{ kind: 'circle' as const, colour: 'blue', row: 'bottom' as const, col: 'right' as const, cx: 0.75, cy: 0.75, r: 0.15 }] };
    const px = renderScene(scene, 40);
    const at = (x: number, y: number) => [...px.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 3)];
    expect(at(30, 30)).toEqual([30, 40, 220]);
    expect(at(5, 5)).toEqual([250, 250, 250]);
  });
});

describe('model registry and sources', () => {
  it('dtype per device: fp16 only with shader-f16, q8 first on WASM', () => {
    const clipB32 = getModel('clip-vit-base-patch32')!;
    expect(chooseDtype(clipB32, 'wasm', false)).toBe('q8');
    expect(chooseDtype(clipB32, 'webgpu', false)).toBe('fp32');
    expect(chooseDtype(getModel('teaching-clip')!, 'wasm', true)).toBe('fp32');
  });

  it('a picked folder (or its parent) maps to paths inside the model folder', () => {
    const f = (p: string) => Object.assign(new Blob(['x']), { name: p.split('/').pop()!, webkitRelativePath: p }) as unknown as File;
    const direct = folderFiles([f('clip/config.json'), f('clip/onnx/vision_model.onnx')]);
    expect([...direct.keys()].sort()).toEqual(['config.json', 'onnx/vision_model.onnx']);
    const parent = folderFiles([f('models/clip/config.json'), f('models/clip/onnx/text_model.onnx')]);
    expect([...parent.keys()].sort()).toEqual(['config.json', 'onnx/text_model.onnx']);
  });
});

describe('video sampling times', () => {
  it('N frames at the centres of N equal slices, or one every 1/fps seconds', () => {
    expect(sampleTimes(2, 4)).toEqual([0.25, 0.75, 1.25, 1.75]);
    expect(sampleTimes(24, 24)[0]).toBe(0.5);
    expect(sampleTimes(2, 99, 2)).toEqual([0.25, 0.75, 1.25, 1.75]);
    // At 2 fps a 10 s clip needs 20 frames; capped at 4 it gets 4 at equal spacing: centres of 2.5 s slices.
    expect(sampleTimes(10, 4, 2)).toEqual([1.25, 3.75, 6.25, 8.75]);
    expect(sampleTimes(10, 20, 2)).toHaveLength(20); // exactly at the cap: the rate holds
  });
});
