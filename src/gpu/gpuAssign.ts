/**
 * The k-means assignment step of a whole batch of documents in one dispatch (kmeansBatch's
 * BatchAssigner). Jobs are packed into as few dispatches as the binding limit allows.
 */
import type { AssignJob, BatchAssigner } from '../core/kmeansBatch.ts';
import { checked, GpuUnavailableError, grid, pipeline, readBack, storageBuffer, uniformBuffer, type GpuContext } from './device.ts';
import { ASSIGN_KERNEL } from './kernels.ts';

export function gpuAssigner(ctx: GpuContext, opts: { maxBindingBytes?: number } = {}): BatchAssigner {
  return async (jobs) => {
    const limit = Math.min(ctx.maxBinding, opts.maxBindingBytes ?? Infinity);
    for (let i = 0; i < jobs.length; ) {
      const d4 = Math.ceil(jobs[i].d / 4);
      let points = 0;
      let j = i;
      while (j < jobs.length && (points + jobs[j].n) * d4 * 16 <= limit) points += jobs[j++].n;
      if (j === i) throw new GpuUnavailableError(`one document's tokens exceed the GPU binding limit of ${limit} bytes`);
      await assignPacked(ctx, jobs.slice(i, j), d4);
      i = j;
    }
  };
}

async function assignPacked(ctx: GpuContext, jobs: readonly AssignJob[], d4: number): Promise<void> {
  const { device } = ctx;
  if (ctx.lost) throw new GpuUnavailableError(`the GPU device was lost (${ctx.lost})`);
  const total = jobs.reduce((s, j) => s + j.n, 0);
  const centroidsTotal = jobs.reduce((s, j) => s + j.m, 0);
  const points = new Float32Array(total * d4 * 4);
  const pointDoc = new Uint32Array(total);
  const centroids = new Float32Array(centroidsTotal * d4 * 4);
  const cOffsets = new Uint32Array(jobs.length + 1);
  let p = 0;
  jobs.forEach((job, doc) => {
    for (let r = 0; r < job.n; r++) points.set(job.points.subarray(r * job.d, r * job.d + job.d), (p + r) * d4 * 4);
    pointDoc.fill(doc, p, p + job.n);
    p += job.n;
    for (let c = 0; c < job.m; c++) centroids.set(job.centroids.subarray(c * job.d, c * job.d + job.d), (cOffsets[doc] + c) * d4 * 4);
    cOffsets[doc + 1] = cOffsets[doc] + job.m;
  });
  const pipe = await pipeline(device, 'assign', () => ASSIGN_KERNEL);
  const [gx, gy] = grid(device, Math.ceil(total / 64));
  const buffers: GPUBuffer[] = [];
  try {
    const { assignBuf, simBuf, encoder } = await checked(ctx, 'k-means assignment', () => {
      const inputs: GPUBuffer[] = [];
      for (const [data, label] of [[points, 'points'], [pointDoc, 'point doc'], [centroids, 'centroids'], [cOffsets, 'centroid offsets']] as const) {
        const b = storageBuffer(device, data, label);
        buffers.push(b); // destroyed in finally even if a later one fails
        inputs.push(b);
      }
      const assignBuf = device.createBuffer({ size: Math.max(16, total * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const simBuf = device.createBuffer({ size: Math.max(16, total * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
      const params = uniformBuffer(device, [d4, total, gx], 'assign params');
      buffers.push(assignBuf, simBuf, params);
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [...inputs, assignBuf, simBuf, params].map((buffer, binding) => ({ binding, resource: { buffer } })),
      }));
      pass.dispatchWorkgroups(gx, gy);
      pass.end();
      return { assignBuf, simBuf, encoder };
    });
    const assignment = new Uint32Array(await readBack(ctx, assignBuf, total * 4, encoder));
    const similarity = new Float32Array(await readBack(ctx, simBuf, total * 4));
    p = 0;
    for (const job of jobs) {
      for (let t = 0; t < job.n; t++) {
        job.assignment[t] = assignment[p + t];
        job.similarity[t] = similarity[p + t];
      }
      p += job.n;
    }
  } finally {
    for (const b of buffers) b.destroy();
  }
}
