/**
 * What every model load ends with: the self-check's report, its tolerance per weight type, and
 * the errors that say whose problem a failure is (the device's: ModelRunError; the model's:
 * ModelCheckError). Shared by the image (./embedder.ts) and text (./colbert.ts) models.
 */
import type { Dtype } from './tower.ts';

/** Cosine tolerance of the self-check per weight type (q8 per ../shared/RESEARCH.md: ~0.9993 seen). */
export const SELF_CHECK_MIN_COSINE: Record<Dtype, number> = { fp32: 0.9999, fp16: 0.998, q8: 0.99 };

export interface SelfCheckReport {
  ok: boolean;
  vision: { check: string; cosine: number };
  text: { check: string; cosine: number; position: number };
  minCosine: number;
  message: string;
}

/** The model loaded but failed when run (device limits, unsupported kernels, a broken graph). */
export class ModelRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelRunError';
  }
}

export class ModelCheckError extends Error {
  constructor(
    message: string,
    readonly report?: SelfCheckReport,
  ) {
    super(message);
    this.name = 'ModelCheckError';
  }
}

/**
 * Runs a freshly built model's self-check and keeps its report, or releases the model and throws:
 * the structural error `structural` finds (the file's problem, no device would help), else
 * ModelRunError when the check could not run here (on WebGPU the client then tries WASM), or
 * ModelCheckError when it ran and failed.
 */
export async function passSelfCheck<T extends { selfCheck(): Promise<SelfCheckReport>; release(): Promise<void>; selfCheckReport?: SelfCheckReport }>(
  e: T,
  name: string,
  structural: (err: unknown) => Promise<Error | null>,
): Promise<T> {
  let report: SelfCheckReport;
  try {
    report = await e.selfCheck();
  } catch (err) {
    const found = await structural(err);
    await e.release();
    if (found) throw found;
    throw new ModelRunError(`${name} could not run its self-check on this device: ${(err as Error).message.split('\n')[0]}`);
  }
  e.selfCheckReport = report;
  if (!report.ok) {
    await e.release();
    throw new ModelCheckError(`${name} failed its self-check and will not be used: ${report.message}`, report);
  }
  return e;
}
