import Long from 'long';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, type ModelProto } from '../../src/onnx/proto.ts';

describe('ONNX protobuf', () => {
  it('keeps int64 values above 2^53 exact through decode and re-encode (Slice ends of INT64_MAX)', () => {
    const model = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        node: [{ opType: 'Slice', input: ['x'], output: ['y'], name: 'slice', attribute: [{ name: 'ends', type: 7, ints: [Long.MAX_VALUE, Long.fromString('9007199254740993')] }] }],
      },
    } as unknown as ModelProto;
    const back = decodeModel(encodeModel(decodeModel(encodeModel(model))));
    const ints = back.graph!.node![0].attribute![0].ints!.map((v) => v.toString());
    expect(ints).toEqual(['9223372036854775807', '9007199254740993']);
  });
});

describe('the static ONNX codecs', () => {
  it('are what scripts/make-onnx-proto.ts makes of src/onnx/schema.ts (recompiled here with pbjs)', async () => {
    const { compileSchema } = await import('../../scripts/make-onnx-proto.ts');
    const { readFileSync } = await import('node:fs');
    expect(compileSchema()).toBe(readFileSync(new URL('../../src/onnx/onnx.static.js', import.meta.url), 'utf8'));
  }, 60_000);
});
