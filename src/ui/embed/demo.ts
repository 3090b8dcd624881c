/**
 * The demo buttons of the embedding panel: the 24 generated scenes (as PNGs whose pixels the worker
 * takes directly, or, for a text model, as their captions under the same ids) and the 6 generated
 * clips (frames with timestamps), and the demo's queries and judgments restricted to what is
 * embedded.
 */
import type { MultiVector } from '../../core/multivector.ts';
import { encodePng } from '../../demo/png.ts';
import { caption, clipScene, demoCorpusWithClips, renderScene, type DemoCorpus } from '../../demo/scenes.ts';
import type { EmbedItem, LoadedModel } from '../../clients/embedClient.ts';

export interface DemoHost {
  ensureModel(): Promise<boolean>;
  loaded(): LoadedModel | undefined;
  busy(): boolean;
  /** Writes the embedding status line. */
  say(text: string): void;
  /** Frames per video asked for in the rail. */
  frames(): number;
  embedFiles(files: File[], extra?: EmbedItem[]): Promise<void>;
}

export function initDemoButtons(host: DemoHost) {
  const demo = demoCorpusWithClips(24, 6, 1);
  /** The pixels of the demo PNGs, which the worker draws instead of decoding the files again (EmbedItem.rgba). */
  const decoded = new WeakMap<File, { data: Uint8ClampedArray<ArrayBuffer>; width: number; height: number }>();

  /** Six generated clips (a shape moving between quadrants), as frames with timestamps. */
  async function addDemoClips(): Promise<void> {
    if (!(await host.ensureModel())) return;
    const loaded = host.loaded()!;
    if (loaded.modality === 'text' || loaded.modality === 'page') {
      host.say(`The demo clips are videos, and the loaded model embeds ${loaded.modality === 'text' ? 'text' : 'pictures and PDF pages (ColModernVBERT)'}: load an image model (the teaching model, CLIP or SigLIP) for them, or add the demo scenes.`);
      return;
    }
    if (host.busy()) {
      host.say('Still busy with the previous batch: wait for it or cancel it.');
      return;
    }
    const frames = host.frames();
    const size = Math.max(64, loaded.inputSize);
    const items: EmbedItem[] = [];
    for (const clip of demo.clips) {
      const list = [];
      for (let i = 0; i < frames; i++) {
        const rgba = renderScene(clipScene(clip, i, frames), size) as Uint8ClampedArray<ArrayBuffer>;
        list.push({ bitmap: await createImageBitmap(new ImageData(rgba, size, size)), time: i / clip.fps });
      }
      items.push({ name: clip.id, frames: list });
    }
    await host.embedFiles([], items);
  }

  async function addDemo(): Promise<void> {
    if (!(await host.ensureModel())) return;
    const loaded = host.loaded();
    if (loaded?.modality === 'text') {
      // A text model reads each scene as its caption, under the scene's id: the demo's queries and
      // judgments apply unchanged, so the same comparison runs on text.
      await host.embedFiles(demo.scenes.map((scene) => new File([caption(scene)], scene.id, { type: 'text/plain' })));
      return;
    }
    const size = Math.max(64, loaded?.inputSize ?? 224);
    // Encoded here, synchronously (src/demo/png.ts): canvas encoders were measured to wait about a
    // second per image in a throttled page.
    const files: File[] = [];
    for (const scene of demo.scenes) {
      const rgba = renderScene(scene, size) as Uint8ClampedArray<ArrayBuffer>;
      const file = new File([encodePng(rgba, size, size) as BlobPart], scene.id, { type: 'image/png' });
      decoded.set(file, { data: rgba, width: size, height: size });
      files.push(file);
    }
    await host.embedFiles(files);
  }

  document.getElementById('demo-scenes')!.addEventListener('click', () => void addDemo());
  document.getElementById('demo-clips')!.addEventListener('click', () => void addDemoClips());

  return {
    decoded,
    addDemo,
    /** The demo's queries and relevance, restricted to the demo documents embedded so far (undefined if any other is). */
    judged(docs: MultiVector[]): DemoCorpus | undefined {
      const names = new Set([...demo.scenes.map((x) => x.id), ...demo.clips.map((c) => c.id)]);
      if (docs.length === 0 || !docs.every((d) => names.has(d.id))) return undefined;
      const have = new Set(docs.map((d) => d.id));
      const qrels = new Map<string, Map<string, number>>();
      for (const [q, rel] of demo.qrels) {
        const kept = new Map([...rel].filter(([id]) => have.has(id)));
        if (kept.size > 0) qrels.set(q, kept);
      }
      return { ...demo, queries: demo.queries.filter((q) => qrels.has(q.id)), qrels };
    },
  };
}
