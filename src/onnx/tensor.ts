/** Reading and writing the payload of ONNX TensorProto initialisers. */
import { float16ToFloat32 } from '../core/float16.ts';
import { DataType, type TensorProto, toNumber } from './proto.ts';

export type TensorArray = Float32Array | Int32Array | Int8Array | Uint8Array | BigInt64Array | Float64Array;

export interface TensorValue {
  dims: number[];
  dataType: number;
  data: TensorArray;
}

function view<T>(raw: Uint8Array, ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T {
  // Copy so the result is aligned and owns its memory (raw_data may sit at any byte offset).
  const copy = raw.slice();
  return new ctor(copy.buffer);
}

/** Decodes an initialiser or Constant value into a typed array (float16 widened to float32). */
export function readTensor(t: TensorProto): TensorValue {
  const dims = (t.dims ?? []).map(toNumber);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  switch (t.dataType) {
    case DataType.FLOAT:
      return { dims, dataType: t.dataType, data: raw ? view(raw, Float32Array) : Float32Array.from(t.floatData ?? []) };
    case DataType.FLOAT16: {
      const bits = raw ? view(raw, Uint16Array) : Uint16Array.from(t.int32Data ?? []);
      const out = new Float32Array(bits.length);
      for (let i = 0; i < bits.length; i++) out[i] = float16ToFloat32(bits[i]);
      return { dims, dataType: DataType.FLOAT, data: out };
    }
    case DataType.INT8:
      return { dims, dataType: t.dataType, data: raw ? view(raw, Int8Array) : Int8Array.from(t.int32Data ?? []) };
    case DataType.UINT8:
      return { dims, dataType: t.dataType, data: raw ? view(raw, Uint8Array) : Uint8Array.from(t.int32Data ?? []) };
    case DataType.INT32:
      return { dims, dataType: t.dataType, data: raw ? view(raw, Int32Array) : Int32Array.from(t.int32Data ?? []) };
    case DataType.INT64:
      return {
        dims,
        dataType: t.dataType,
        data: raw ? view(raw, BigInt64Array) : BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(toNumber(v)))),
      };
    case DataType.DOUBLE:
      return { dims, dataType: t.dataType, data: raw ? view(raw, Float64Array) : Float64Array.from(t.doubleData ?? []) };
    default:
      throw new Error(`tensor "${t.name}": data type ${t.dataType} is not supported`);
  }
}

/** Builds an initialiser with its payload in raw_data (little-endian, as ONNX requires). */
export function makeTensor(name: string, dims: number[], data: TensorArray): TensorProto {
  let dataType: number;
  if (data instanceof Float32Array) dataType = DataType.FLOAT;
  else if (data instanceof Int8Array) dataType = DataType.INT8;
  else if (data instanceof Uint8Array) dataType = DataType.UINT8;
  else if (data instanceof Int32Array) dataType = DataType.INT32;
  else if (data instanceof BigInt64Array) dataType = DataType.INT64;
  else dataType = DataType.DOUBLE;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (expected !== data.length) throw new Error(`tensor "${name}": dims ${dims} need ${expected} values, got ${data.length}`);
  return {
    name,
    dims,
    dataType,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice(),
  };
}
