import { expect, test, type Page } from '@playwright/test';
import { failOnConsoleErrors } from './consoleErrors.ts';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCorpus, renderScene } from '../src/demo/scenes.ts';
import { encodePng } from '../src/demo/png.ts';
import { importEmbeddings } from '../src/core/importer.ts';
import { tinyModel } from '../src/modelgen/packages.ts';

failOnConsoleErrors();

async function loadModel(page: Page, device: 'auto' | 'webgpu' | 'wasm', folder?: string) {
  await page.selectOption('#device', device);
  if (folder) await page.setInputFiles('#model-folder', folder);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.locator('#model-status')).toContainText(/Loaded|Could not load/, { timeout: 90_000 });
}

async function scores(page: Page, query: string): Promise<Map<string, number>> {
  await page.fill('#query', query);
  await page.evaluate(() => document.getElementById('hits')!.replaceChildren());
  await page.getByRole('button', { name: /Search/ }).click();
  await expect(page.locator('#hits li').first()).toBeVisible();
  const items = await page.locator('#hits li').allTextContents();
  return new Map(items.map((t) => {
    const m = /^(.*) \(([-\d.]+)\)$/.exec(t)!;
    return [m[1], Number(m[2])];
  }));
}

/**
 * Installs `recordClip(mimeType, name)` in the page: a MediaRecorder recording of about 2 s of a
 * 96 x 96 canvas where a square moves right, red for the first half and blue for the second.
 */
function installRecorder() {
  (window as unknown as { recordClip: (mimeType: string, name: string) => Promise<File> }).recordClip = async (mimeType, name) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 96;
    const ctx = canvas.getContext('2d')!;
    const stream = canvas.captureStream(30);
    const rec = new MediaRecorder(stream, { mimeType });
    const chunks: Blob[] = [];
    rec.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise((r) => (rec.onstop = r));
    rec.start();
    const t0 = performance.now();
    while (performance.now() - t0 < 2000) {
      const t = (performance.now() - t0) / 2000;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 96, 96);
      ctx.fillStyle = t < 0.5 ? '#d00' : '#00d';
      ctx.fillRect(t * 56, 30, 40, 40);
      await new Promise((r) => requestAnimationFrame(r));
    }
    rec.stop();
    await stopped;
    stream.getTracks().forEach((t) => t.stop());
    return new File(chunks, name, { type: mimeType.split(';')[0] });
  };
}
type WithRecorder = Window & { recordClip: (mimeType: string, name: string) => Promise<File> };

/** The embedded corpus's full vectors, as the uncompressed fp32 index the compare view exports. */
async function exportFullVectors(page: Page): Promise<{ ids: string[]; data: Float32Array; n: number[] }> {
  await page.click('#views-nav a[data-view="compare"]');
  await expect(page.locator('#compare-status')).toContainText('Done', { timeout: 120_000 });
  await page.selectOption('#export-method', 'none');
  await page.selectOption('#export-storage', 'fp32');
  const download = page.waitForEvent('download', { predicate: (d) => d.suggestedFilename().endsWith('.safetensors') });
  await page.getByRole('button', { name: /Export safetensors/ }).click();
  const bytes = new Uint8Array(readFileSync(await (await download).path()));
  const corpus = await importEmbeddings({ name: 'index.safetensors', bytes });
  const docs = [...corpus.docs].sort((a, b) => a.id.localeCompare(b.id));
  const data = new Float32Array(docs.reduce((s, x) => s + x.data.length, 0));
  let at = 0;
  for (const x of docs) (data.set(x.data, at), (at += x.data.length));
  return { ids: docs.map((x) => x.id), data, n: docs.map((x) => x.n) };
}

test('WebGPU and WASM embed the same vectors to float precision (full vectors compared, nothing read from storage)', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?view=data');
  await page.getByRole('button', { name: 'Clear stored embeddings' }).click();
  await loadModel(page, 'webgpu');
  const status = page.locator('#model-status');
  await expect(status).toContainText('Loaded Teaching model (built in, offline) on WEBGPU (fp32)');
  await expect(status).toContainText('Self-check passed');
  await expect(status).toContainText('Saliency: cls-attention from /vision_model/encoder/layers.1/self_attn/Softmax');
  await page.getByRole('button', { name: 'Add 24 demo scenes' }).click();
  await expect(page.locator('#embed-status')).toContainText('Done: 24 embedded, 0 skipped', { timeout: 90_000 });
  await expect(page.locator('#embed-status')).not.toContainText('read from stored');
  await expect(page.locator('#embedded tbody tr')).toHaveCount(24);
  await expect(page.locator('#embedded tbody tr').first()).toContainText('64 x 13');
  await page.screenshot({ path: 'test-results/screens/embedded-demo.png', fullPage: true });
  // Retrieval works on WebGPU: a demo caption finds a scene judged relevant first.
  const corpus = demoCorpus(24, 1);
  const q = corpus.queries[0];
  expect(corpus.qrels.get(q.id)!.get([...(await scores(page, q.text)).keys()][0])).toBe(1);
  const gpu = await exportFullVectors(page);
  await page.click('#views-nav a[data-view="data"]');
  await loadModel(page, 'wasm');
  await expect(page.locator('#model-status')).toContainText('on WASM (fp32)');
  await page.getByRole('button', { name: 'Add 24 demo scenes' }).click();
  await expect(page.locator('#embed-status')).toContainText('Done: 24 embedded', { timeout: 90_000 });
  // Stored embeddings are keyed by device: the WASM vectors are computed, not the WebGPU ones read back.
  await expect(page.locator('#embed-status')).not.toContainText('read from stored');
  const cpu = await exportFullVectors(page);
  expect(cpu.ids).toEqual(gpu.ids);
  expect(cpu.n).toEqual(gpu.n);
  expect(cpu.data.length).toBe(24 * 64 * 13);
  let worst = 0;
  let differ = 0;
  for (let i = 0; i < gpu.data.length; i++) {
    const e = Math.abs(gpu.data[i] - cpu.data[i]);
    worst = Math.max(worst, e);
    if (e > 0) differ++;
  }
  // The same float32 graph run by two backends: differences of a few float32 roundings, no more.
  expect(worst).toBeLessThan(1e-5);
  console.log(`WebGPU vs WASM: ${differ} of ${gpu.data.length} values differ, by at most ${worst.toExponential(2)}`);
});

test('a local model folder loads with no network (tiny SigLIP-like fixture), a broken one is explained', async ({ page }) => {
  await page.goto('/?view=data');
  await page.selectOption('#model', 'siglip-base-patch16-224');
  await loadModel(page, 'wasm', 'test-models/tiny-siglip');
  // the status names the folder that was loaded, not the registry entry that was selected
  await expect(page.locator('#model-status')).toContainText('Loaded the local folder "tiny-siglip" on WASM');
  await expect(page.locator('#model-status')).not.toContainText('SigLIP base');
  await expect(page.locator('#model-status')).toContainText('Self-check passed');
  await expect(page.locator('#model-status')).toContainText('Saliency: probe-attention from /vision_model/head/attention/Softmax');
  await expect(page.locator('#model-status')).toContainText('32-dimensional vectors, 4x4 patches');

  const broken = mkdtempSync(join(tmpdir(), 'broken-model-'));
  const dir = join(broken, 'tiny-clip');
  cpSync('test-models/tiny-clip', dir, { recursive: true });
  const onnx = readFileSync(join(dir, 'onnx', 'vision_model.onnx'));
  writeFileSync(join(dir, 'onnx', 'vision_model.onnx'), onnx.subarray(0, 4000));
  await page.goto('/?view=data'); // a fresh page: the default model (the URL now names SigLIP)
  await loadModel(page, 'wasm', dir);
  await expect(page.locator('#model-status .error')).toContainText('vision model is not a valid ONNX file');
});

test('bad files are listed with the reason and the rest still embed; a recorded video samples to the asked frames', async ({ page }) => {
  await page.addInitScript(installRecorder);
  await page.goto('/?view=data');
  await loadModel(page, 'wasm');
  await page.fill('#frames', '6');
  // Two good PNGs, a zero-byte image, a corrupt image, a text file, and a 2-second WebM made here.
  await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 96;
    const ctx = canvas.getContext('2d')!;
    const png = async (colour: string) => {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 96, 96);
      ctx.fillStyle = colour;
      ctx.fillRect(10, 10, 40, 40);
      return new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/png'));
    };
    const files = [
      new File([await png('#d00')], 'red.png', { type: 'image/png' }),
      new File([await png('#00d')], 'blue.png', { type: 'image/png' }),
      new File([], 'empty.jpg', { type: 'image/jpeg' }),
      new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5])], 'corrupt.png', { type: 'image/png' }),
      new File(['hello'], 'notes.txt', { type: 'text/plain' }),
    ];
    const record = (window as unknown as WithRecorder).recordClip;
    const webm = await record('video/webm;codecs=vp8', 'clip.webm');
    files.push(webm);
    // Another recording declared as Ogg: a type the worker does not demux, so the page samples it
    // through a <video> element (which reads the content, whatever the type says).
    files.push(new File([await record('video/webm;codecs=vp8', 'other.webm')], 'clip.ogv', { type: 'video/ogg' }));
    const mp4 = await record('video/mp4;codecs=avc1', 'clip.mp4');
    files.push(mp4);
    // The same clip as a QuickTime movie: its ftyp box names the 'qt  ' brand only, as a
    // camera's .mov does (QuickTime File Format, "File type compatibility atom").
    const mov = new Uint8Array(await mp4.arrayBuffer());
    const view = new DataView(mov.buffer);
    if (String.fromCharCode(...mov.subarray(4, 8)) !== 'ftyp') throw new Error('the recorded MP4 does not start with ftyp');
    const qt = [0x71, 0x74, 0x20, 0x20];
    for (let at = 8; at < view.getUint32(0); at += 4) mov.set(at === 12 ? [0x20, 0x05, 0x03, 0x00] : qt, at);
    files.push(new File([mov], 'clip.mov', { type: 'video/quicktime' }));
    files.push(new File([new Uint8Array(64)], 'broken.mp4', { type: 'video/mp4' }));
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(f);
    const input = document.getElementById('files') as HTMLInputElement;
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
  });
  await expect(page.locator('#embed-status')).toContainText('Done: 6 embedded, 4 skipped', { timeout: 90_000 });
  const errs = page.locator('#file-errors li');
  await expect(errs).toHaveCount(4);
  await expect(errs.filter({ hasText: 'broken.mp4' })).toContainText('broken.mp4: ');
  await expect(errs.filter({ hasText: 'empty.jpg' })).toContainText('the file is empty (0 bytes)');
  await expect(errs.filter({ hasText: 'corrupt.png' })).toContainText('cannot decode it as an image');
  // A text file is a document for a text model (ColBERT); this one is a picture model.
  await expect(errs.filter({ hasText: 'notes.txt' })).toContainText('text documents need a text model: load a ColBERT model');
  // WebM: demuxed by mediabunny, MP4 and MOV by mp4box, all decoded by WebCodecs inside the worker;
  // a type the worker does not demux (Ogg) is sampled through a <video> element on the page.
  for (const [name, decoder] of [['clip.webm', 'webcodecs-worker'], ['clip.mp4', 'webcodecs-worker'], ['clip.mov', 'webcodecs-worker'], ['clip.ogv', 'video-element']]) {
    const video = page.locator(`#embedded tbody tr[data-doc="${name}"]`);
    await expect(video.locator('td').nth(1)).toHaveText('6');
    await expect(video.locator('td').nth(2)).toHaveText('384 x 13');
    await expect(video.locator('td').nth(5)).toHaveText(decoder);
    // the page says why a video was not decoded in the worker
    if (decoder === 'video-element') await expect(video.locator('td').nth(5)).toHaveAttribute('title', 'Sampled through a <video> element on the page: the worker demuxes MP4, MOV, WebM and Matroska only, and this is video/ogg.');
    else await expect(video.locator('td').nth(5)).not.toHaveAttribute('title', /.+/);
    const times = (await video.locator('td').nth(4).textContent())!.split(', ').map(Number);
    expect(times).toHaveLength(6);
    // Each sampled frame is the one nearest the centre of one of 6 equal slices of the clip. The
    // clip is recorded on requestAnimationFrame for about 2 s, but a busy machine starts and stops
    // the recorder late, so its real length D varies (about 1.65 s once in CI): D is fitted from the
    // times themselves (least squares of t_i = (i + 0.5) D / 6), then every time must sit at its
    // centre within 0.12 s, a third of the 0.33 s spacing.
    const fitted = (6 * times.reduce((sum, t, i) => sum + t * (i + 0.5), 0)) / times.reduce((sum, _, i) => sum + (i + 0.5) ** 2, 0);
    expect(fitted, `${name} fitted length`).toBeGreaterThan(1.2);
    expect(fitted, `${name} fitted length`).toBeLessThan(2.4);
    times.forEach((t, i) => expect(Math.abs(t - ((i + 0.5) * fitted) / 6), `${name} frame ${i} at ${t} (fitted length ${fitted.toFixed(2)} s)`).toBeLessThan(0.12));
  }
  await page.screenshot({ path: 'test-results/screens/embedded-errors.png', fullPage: true });
});

test('Hub models load from the configured host through the browser cache: the second load downloads nothing', async ({ page, context }) => {
  // A stand-in host serving the tiny CLIP-like fixture under the real repository's path layout.
  const requested: string[] = [];
  await context.route('https://hub.example.test/**', async (route) => {
    const url = new URL(route.request().url());
    requested.push(url.pathname);
    const m = /^\/Xenova\/clip-vit-base-patch32\/resolve\/main\/(.+)$/.exec(url.pathname);
    if (!m) return route.fulfill({ status: 404, headers: { 'Access-Control-Allow-Origin': '*' }, body: 'not found' });
    const body = readFileSync(join('test-models/tiny-clip', m[1]));
    await route.fulfill({ status: 200, body, headers: { 'Access-Control-Allow-Origin': '*', 'Content-Length': String(body.length) } });
  });
  await page.goto('/?view=data');
  await page.selectOption('#model', 'clip-vit-base-patch32');
  await page.getByText('Weights, host, local folder').click();
  await page.fill('#model-host', 'https://hub.example.test/');
  await loadModel(page, 'wasm');
  await expect(page.locator('#model-status')).toContainText('Loaded CLIP ViT-B/32 on WASM (q8)');
  await expect(page.locator('#model-status')).toContainText('Self-check passed');
  expect(requested.sort()).toEqual(
    ['config.json', 'onnx/text_model_quantized.onnx', 'onnx/vision_model_quantized.onnx', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'].map(
      (f) => `/Xenova/clip-vit-base-patch32/resolve/main/${f}`,
    ),
  );
  requested.length = 0;
  await page.reload();
  await page.selectOption('#model', 'clip-vit-base-patch32');
  await page.getByText('Weights, host, local folder').click();
  await page.fill('#model-host', 'https://hub.example.test/');
  await loadModel(page, 'wasm');
  await expect(page.locator('#model-status')).toContainText('Self-check passed');
  expect(requested).toEqual([]);

  // Multi-crop: a global view and 2 x 2 tiles give 5 views of 4 x 4 patches.
  await page.fill('#tiles', '2');
  await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 200;
    canvas.height = 120;
    canvas.getContext('2d')!.fillRect(0, 0, 50, 50);
    const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/png'));
    const dt = new DataTransfer();
    dt.items.add(new File([blob], 'wide.png', { type: 'image/png' }));
    const input = document.getElementById('files') as HTMLInputElement;
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
  });
  await expect(page.locator('#embed-status')).toContainText('Done: 1 embedded', { timeout: 60_000 });
  await expect(page.locator('#embedded tbody tr[data-doc="wide.png"] td').nth(1)).toHaveText('5');
  await expect(page.locator('#embedded tbody tr[data-doc="wide.png"] td').nth(2)).toHaveText('80 x 16');
});

test('a host that does not answer is reported with the URL, not as a hang', async ({ page, context }) => {
  await context.route('https://down.example.test/**', (route) => route.abort('connectionrefused'));
  await page.goto('/?view=data');
  await page.selectOption('#model', 'siglip-base-patch16-224');
  await page.getByText('Weights, host, local folder').click();
  await page.fill('#model-host', 'https://down.example.test');
  await loadModel(page, 'wasm');
  await expect(page.locator('#model-status .error')).toContainText('could not download');
  await expect(page.locator('#model-status .error')).toContainText('https://down.example.test/Xenova/siglip-base-patch16-224/resolve/main/');
});

test('EXIF orientation is honoured: a rotated JPEG is embedded the way it is displayed', async ({ page }) => {
  await page.goto('/?view=data');
  await loadModel(page, 'wasm');
  await page.evaluate(async () => {
    // Raw pixels: a red block in the bottom-left quarter. EXIF orientation 6 displays the picture
    // turned 90 degrees clockwise, which puts the block at the top left.
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 96;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 96, 96);
    ctx.fillStyle = '#e00';
    ctx.fillRect(6, 54, 36, 36);
    const jpeg = new Uint8Array(await (await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/jpeg', 0.95))).arrayBuffer());
    const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0];
    const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
    const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255, ...payload];
    const rotated = new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
    const dt = new DataTransfer();
    dt.items.add(new File([rotated], 'rotated.jpg', { type: 'image/jpeg' }));
    dt.items.add(new File([jpeg], 'plain.jpg', { type: 'image/jpeg' }));
    const input = document.getElementById('files') as HTMLInputElement;
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
  });
  await expect(page.locator('#embed-status')).toContainText('Done: 2 embedded', { timeout: 60_000 });
  expect([...(await scores(page, 'red top left')).keys()][0]).toBe('rotated.jpg');
  expect([...(await scores(page, 'red bottom left')).keys()][0]).toBe('plain.jpg');
});

test('a reload reuses stored embeddings (keyed by file content and model); clearing them embeds again', async ({ page }) => {
  await page.goto('/?view=data');
  await loadModel(page, 'wasm');
  await page.getByRole('button', { name: 'Add 24 demo scenes' }).click();
  await expect(page.locator('#embed-status')).toContainText('Done: 24 embedded, 0 skipped', { timeout: 60_000 });
  await expect(page.locator('#storage')).toContainText('Stored embeddings: 24 documents');
  const first = await scores(page, 'green shape at the bottom left');

  await page.reload();
  await loadModel(page, 'wasm');
  await page.getByRole('button', { name: 'Add 24 demo scenes' }).click();
  await expect(page.locator('#embed-status')).toContainText('Done: 24 embedded (24 read from stored embeddings), 0 skipped', { timeout: 60_000 });
  await expect(page.locator('#embedded tbody tr').first().locator('td').nth(5)).toHaveText('stored');
  expect(await scores(page, 'green shape at the bottom left')).toEqual(first);

  // A damaged record is never served: that one file is embedded again, and the status says so.
  await page.evaluate(() => new Promise<void>((resolve, reject) => {
    const req = indexedDB.open('mvc-playground');
    req.onsuccess = () => {
      const t = req.result.transaction('embeddings', 'readwrite');
      const cursor = t.objectStore('embeddings').openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result!;
        const v = c.value;
        v.doc.data[0] += 0.5;
        c.update(v);
      };
      t.oncomplete = () => (req.result.close(), resolve());
      t.onerror = () => reject(t.error);
    };
  }));
  await page.goto('/?view=data'); // not a reload: this address does not replay the demo by itself
  await loadModel(page, 'wasm');
  await page.getByRole('button', { name: 'Add 24 demo scenes' }).click();
  await expect(page.locator('#embed-status')).toContainText('Done: 24 embedded (23 read from stored embeddings), 0 skipped', { timeout: 60_000 });
  await expect(page.locator('#embed-status')).toContainText('1 stored embedding was not used (another format version, or damaged) and embedded again');
  await expect(page.locator('#embed-status')).toContainText('its vectors do not match their checksum (damaged)');
  expect(await scores(page, 'green shape at the bottom left')).toEqual(first);

  await page.getByRole('button', { name: 'Clear stored embeddings' }).click();
  await expect(page.locator('#storage')).toContainText('Stored embeddings: 0 documents');
  await page.getByRole('button', { name: 'Add 24 demo scenes' }).click();
  await expect(page.locator('#embed-status')).toContainText('Done: 24 embedded, 0 skipped', { timeout: 60_000 });
});

/** A solid-colour PNG with a coloured square, encoded here (zlib + CRC32 from Node). */
function png(size: number, rgb: [number, number, number]): Buffer {
  // zlib.crc32 is newer than this project's @types/node.
  const { crc32, deflateSync } = createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib') & { crc32(b: Buffer): number };
  const raw = Buffer.alloc(size * (size * 3 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const inside = x > size / 8 && x < size / 2 && y > size / 8 && y < size / 2;
      const o = y * (size * 3 + 1) + 1 + x * 3;
      raw[o] = inside ? rgb[0] : 250;
      raw[o + 1] = inside ? rgb[1] : 250;
      raw[o + 2] = inside ? rgb[2] : 250;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

test('a whole folder (with a subfolder) is embedded from the folder picker; hidden files are ignored, others reported', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'red.png'), png(64, [220, 20, 20]));
  writeFileSync(join(dir, 'sub', 'blue.png'), png(64, [20, 20, 220]));
  writeFileSync(join(dir, '.DS_Store'), 'junk');
  writeFileSync(join(dir, 'readme.txt'), 'hello');
  writeFileSync(join(dir, 'data.bin'), 'not media');
  await page.goto('/?view=data');
  await loadModel(page, 'wasm');
  await page.setInputFiles('#folder', dir);
  await expect(page.locator('#embed-status')).toContainText('Done: 2 embedded, 2 skipped', { timeout: 60_000 });
  await expect(page.locator('#file-errors li')).toHaveText([
    'data.bin: not an image, video, PDF or text file (application/octet-stream); skipped',
    'readme.txt: text documents need a text model: load a ColBERT model (answerai-colbert-small-v1, or a local ColBERT folder) to embed .txt, .md and JSONL files',
  ]);
  expect([...(await scores(page, 'red top left')).keys()][0]).toBe('red.png');
});

test('Cancel embedding stops between items: the count stops growing, what was embedded stays, the next batch works', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/?view=data');
  await page.getByRole('button', { name: 'Clear stored embeddings' }).click();
  await loadModel(page, 'wasm');
  // 150 distinct pictures (demo scenes under other names), far more than embed before the click.
  const files = demoCorpus(150, 9).scenes.map((s, i) => ({ name: `many-${String(i).padStart(3, '0')}.png`, mimeType: 'image/png', buffer: Buffer.from(encodePng(renderScene(s, 64), 64, 64)) }));
  await page.setInputFiles('#files', files);
  await expect(page.locator('#embed-status')).toContainText(/Embedded \d+ of 150/, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel embedding' }).click();
  await expect(page.locator('#embed-status')).toContainText(/^Cancelled: \d+ embedded/, { timeout: 10_000 });
  const done = Number(/Cancelled: (\d+) embedded/.exec((await page.locator('#embed-status').textContent())!)![1]);
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(150);
  // Nothing keeps running: a second later the status and the table are the same.
  const rows = await page.locator('#embedded tbody tr').count();
  expect(rows).toBe(done);
  await page.waitForTimeout(1000);
  await expect(page.locator('#embedded tbody tr')).toHaveCount(rows);
  await expect(page.locator('#embed-status')).toContainText(`Cancelled: ${done} embedded`);
  // The model stays loaded (cancel is between items; the worker is not stopped): the next batch embeds.
  await page.setInputFiles('#files', files.slice(0, 3).map((f, i) => ({ ...f, name: `again-${i}.png` })));
  await expect(page.locator('#embed-status')).toContainText('Done: 3 embedded', { timeout: 60_000 });
});

test('Device "Auto" runs on WebGPU where it works, and falls back to WASM with the reason where WebGPU fails while loading', async ({ page }) => {
  await page.goto('/?view=data');
  await loadModel(page, 'auto');
  const status = page.locator('#model-status');
  await expect(status.locator('[data-device]')).toHaveAttribute('data-device', 'webgpu');
  await expect(status).toContainText('on WEBGPU (fp32)');
  await expect(status.locator('.fallback')).toHaveCount(0);

  // A GPU that has an adapter but refuses a device (as a blocklisted or lost GPU does): the
  // worker's probe already found the adapter, so only onnxruntime's session creation fails.
  await page.goto('/?view=data');
  await expect.poll(() => page.workers().some((w) => /embed/.test(w.url()))).toBe(true);
  const worker = page.workers().find((w) => /embed/.test(w.url()))!;
  await worker.evaluate(() => {
    (globalThis as unknown as { GPUAdapter: { prototype: { requestDevice: unknown } } }).GPUAdapter.prototype.requestDevice = () => Promise.reject(new Error('device refused by the test'));
  });
  await loadModel(page, 'auto');
  await expect(status.locator('[data-device]')).toHaveAttribute('data-device', 'wasm');
  await expect(status).toContainText('Loaded Teaching model (built in, offline) on WASM (fp32)');
  await expect(status).toContainText('Self-check passed');
  await expect(status.locator('.fallback')).toContainText(/^WebGPU failed to run this model \(.+\); using WASM$/);
  // "Self-check passed" (above): the model it fell back to ran on WASM, a picture and a text.
});

test('a browser without WebGPU says so on arrival, and "Auto" loads on WASM with that reason', async ({ browser }) => {
  // A second Chromium without --enable-unsafe-webgpu: on Linux it exposes no usable adapter.
  const other = await browser.browserType().launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const page = await other.newPage({ baseURL: 'http://localhost:4173' });
    await page.goto('/?view=data');
    const status = page.locator('#model-status');
    await expect(status.locator('.fallback')).toContainText(/^WebGPU unavailable: .+\. Models will run on WASM \(CPU\)\.$/);
    await loadModel(page, 'auto');
    await expect(status.locator('[data-device]')).toHaveAttribute('data-device', 'wasm');
    await expect(status).toContainText('on WASM (fp32)');
    await expect(status.locator('.fallback')).toContainText(/^using WASM: (this browser exposes no WebGPU|WebGPU is present but no GPU adapter was found|requesting a WebGPU adapter failed)/);
  } finally {
    await other.close();
  }
});

test('a different local model folder never reuses stored vectors, even under the same folder name', async ({ page }) => {
  // Same layout, same name ("tiny-siglip"), other weights (seed 8 instead of the fixture's 7).
  const other = join(mkdtempSync(join(tmpdir(), 'other-model-')), 'tiny-siglip');
  for (const [path, data] of tinyModel('siglip', 'fused', 8)) {
    mkdirSync(join(other, path, '..'), { recursive: true });
    writeFileSync(join(other, path), data);
  }
  const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
  writeFileSync(join(dir, 'red.png'), png(64, [220, 20, 20]));
  writeFileSync(join(dir, 'blue.png'), png(64, [20, 20, 220]));
  const embed = async () => {
    await page.evaluate(() => document.getElementById('embed-status')!.replaceChildren());
    await page.setInputFiles('#files', [join(dir, 'red.png'), join(dir, 'blue.png')]);
    await expect(page.locator('#embed-status')).toContainText('Done: 2 embedded', { timeout: 60_000 });
    return (await page.locator('#embed-status').textContent())!;
  };
  await page.goto('/?view=data');
  await page.getByRole('button', { name: 'Clear stored embeddings' }).click();
  await loadModel(page, 'wasm', 'test-models/tiny-siglip');
  expect(await embed()).not.toContain('read from stored');
  const first = await scores(page, 'red');

  await page.goto('/?view=data');
  await loadModel(page, 'wasm', other);
  await expect(page.locator('#model-status')).toContainText('Loaded the local folder "tiny-siglip" on WASM');
  expect(await embed()).not.toContain('read from stored');
  const second = await scores(page, 'red');
  expect(second.get('red.png')).not.toBe(first.get('red.png'));

  // the first folder again: its own vectors come back from storage, unchanged
  await page.goto('/?view=data');
  await loadModel(page, 'wasm', 'test-models/tiny-siglip');
  expect(await embed()).toContain('Done: 2 embedded (2 read from stored embeddings)');
  expect(await scores(page, 'red')).toEqual(first);
});

test('Video fps samples one frame every 1/fps seconds, in the worker (MP4, WebM) and on the page (a type the worker does not demux)', async ({ page }) => {
  await page.addInitScript(installRecorder);
  await page.goto('/?view=data');
  await loadModel(page, 'wasm');
  await page.fill('#frames', '24');
  await page.fill('#fps', '2');
  await page.evaluate(async () => {
    const record = (window as unknown as WithRecorder).recordClip;
    const dt = new DataTransfer();
    dt.items.add(await record('video/mp4;codecs=avc1', 'rate.mp4'));
    const webm = await record('video/webm;codecs=vp8', 'rate.webm');
    dt.items.add(webm);
    dt.items.add(new File([webm], 'rate.ogv', { type: 'video/ogg' }));
    const input = document.getElementById('files') as HTMLInputElement;
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
  });
  await expect(page.locator('#embed-status')).toContainText('Done: 3 embedded', { timeout: 90_000 });
  for (const [name, decoder] of [['rate.mp4', 'webcodecs-worker'], ['rate.webm', 'webcodecs-worker'], ['rate.ogv', 'video-element']]) {
    const row = page.locator(`#embedded tbody tr[data-doc="${name}"]`);
    await expect(row.locator('td').nth(5)).toHaveText(decoder);
    const times = (await row.locator('td').nth(4).textContent())!.split(', ').map(Number);
    // A clip of about 2 s (1.5-2.4 s on a busy machine) at 2 fps: 3 or 4 frames (24 without the
    // rate), at 0.25, 0.75, 1.25 (and 1.75) s, each the recorded frame nearest its time. A recorder
    // on a busy machine leaves gaps between frames (0.44 s for the 0.25 s target was seen), hence
    // 0.2 s, still well under the 0.5 s spacing.
    expect([3, 4], `${name}: ${times.join(', ')}`).toContain(times.length);
    times.forEach((t, i) => expect(Math.abs(t - (i + 0.5) / 2), `${name} frame ${i} at ${t} (${times.join(', ')})`).toBeLessThan(0.2));
    await expect(row.locator('td').nth(1)).toHaveText(String(times.length));
  }
});

test('a WebM that hangs the demuxer costs its time limit, not the batch: the worker that read it is stopped and the other files embed', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/?view=data');
  await loadModel(page, 'wasm');
  // test/fixtures/video/hang.webm: found by fuzzing; mediabunny's demuxer never returns on it.
  await page.setInputFiles('#files', [
    { name: 'hang.webm', mimeType: 'video/webm', buffer: readFileSync('test/fixtures/video/hang.webm') },
    { name: 'red.png', mimeType: 'image/png', buffer: png(64, [220, 20, 20]) },
  ]);
  await expect(page.locator('#embed-status')).toContainText('Done: 1 embedded, 1 skipped', { timeout: 90_000 });
  // Stopped after 20 s in its own worker, then tried through a <video> element, which refuses it too.
  await expect(page.locator('#file-errors li')).toHaveCount(1);
  await expect(page.locator('#file-errors li')).toContainText('hang.webm: ');
  await expect(page.locator('#embedded tbody tr[data-doc="red.png"]')).toHaveCount(1);
  await expect.poll(() => page.workers().filter((w) => /webm/.test(w.url())).length).toBe(0);
});

test('half of a recorded WebM (its first half of the bytes, cut mid-cluster) embeds from the frames that are there, sampled on the page', async ({ page }) => {
  await page.addInitScript(installRecorder);
  await page.goto('/?view=data');
  await loadModel(page, 'wasm');
  await page.fill('#frames', '6');
  await page.evaluate(async () => {
    const whole = await (window as unknown as WithRecorder).recordClip('video/webm;codecs=vp8', 'whole.webm');
    const bytes = await whole.arrayBuffer();
    const dt = new DataTransfer();
    dt.items.add(new File([bytes.slice(0, Math.floor(bytes.byteLength / 2))], 'half.webm', { type: 'video/webm' }));
    dt.items.add(whole);
    const input = document.getElementById('files') as HTMLInputElement;
    input.files = dt.files;
    input.dispatchEvent(new Event('change'));
  });
  // It was refused as "the video track lasts 0 s": mediabunny reads no packet of the cut file.
  await expect(page.locator('#embed-status')).toContainText('Done: 2 embedded, 0 skipped', { timeout: 90_000 });
  const half = page.locator('#embedded tbody tr[data-doc="half.webm"] td');
  await expect(half.nth(5)).toHaveText('video-element');
  const times = (await half.nth(4).textContent())!.split(', ').map(Number);
  // 6 frames in order over what the browser reads of it: no later than the whole clip's last frame
  // (half the bytes is not half the time: the first key frame is most of a short VP8 recording).
  const whole = (await page.locator('#embedded tbody tr[data-doc="whole.webm"] td').nth(4).textContent())!.split(', ').map(Number);
  expect(times.length, times.join(', ')).toBe(6);
  times.forEach((t, i) => expect(t, times.join(', ')).toBeGreaterThan(i ? times[i - 1] : 0));
  expect(Math.max(...times), `${times.join(', ')} against ${whole.join(', ')}`).toBeLessThanOrEqual(Math.max(...whole) + 0.1);
  await expect(page.locator('#embedded tbody tr[data-doc="whole.webm"] td').nth(5)).toHaveText('webcodecs-worker');
});
