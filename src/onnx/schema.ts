/**
 * The subset of ONNX's `onnx.proto` (proto2, package onnx) this project reads and writes, as a
 * protobufjs JSON descriptor. Field numbers are ONNX's wire format. `npm run proto` compiles it to
 * static code (src/onnx/onnx.static.js, no eval at run time, so the page's CSP needs no
 * 'unsafe-eval'); a unit test recompiles it and compares.
 */
const Int = (id: number, rule?: 'repeated') => ({ type: 'int64', id, ...(rule ? { rule } : {}) });

export const schema = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: Int(3),
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: { type: 'float', id: 7, rule: 'repeated' },
            ints: Int(8, 'repeated'),
            strings: { type: 'bytes', id: 9, rule: 'repeated' },
            tensors: { type: 'TensorProto', id: 10, rule: 'repeated' },
            graphs: { type: 'GraphProto', id: 11, rule: 'repeated' },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } },
        },
        NodeProto: {
          fields: {
            input: { type: 'string', id: 1, rule: 'repeated' },
            output: { type: 'string', id: 2, rule: 'repeated' },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { type: 'AttributeProto', id: 5, rule: 'repeated' },
          },
        },
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: Int(2) },
        },
        ModelProto: {
          fields: {
            irVersion: Int(1),
            opsetImport: { type: 'OperatorSetIdProto', id: 8, rule: 'repeated' },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: Int(5),
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { type: 'StringStringEntryProto', id: 14, rule: 'repeated' },
          },
        },
        GraphProto: {
          fields: {
            node: { type: 'NodeProto', id: 1, rule: 'repeated' },
            name: { type: 'string', id: 2 },
            initializer: { type: 'TensorProto', id: 5, rule: 'repeated' },
            docString: { type: 'string', id: 10 },
            input: { type: 'ValueInfoProto', id: 11, rule: 'repeated' },
            output: { type: 'ValueInfoProto', id: 12, rule: 'repeated' },
            valueInfo: { type: 'ValueInfoProto', id: 13, rule: 'repeated' },
          },
        },
        TensorProto: {
          fields: {
            dims: Int(1, 'repeated'),
            dataType: { type: 'int32', id: 2 },
            floatData: { type: 'float', id: 4, rule: 'repeated', options: { packed: true } },
            int32Data: { type: 'int32', id: 5, rule: 'repeated', options: { packed: true } },
            int64Data: { ...Int(7, 'repeated'), options: { packed: true } },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            externalData: { type: 'StringStringEntryProto', id: 13, rule: 'repeated' },
            dataLocation: { type: 'int32', id: 14 },
            doubleData: { type: 'double', id: 10, rule: 'repeated', options: { packed: true } },
          },
        },
        TensorShapeProto: {
          fields: { dim: { type: 'Dimension', id: 1, rule: 'repeated' } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: Int(1), dimParam: { type: 'string', id: 2 } },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { type: 'Tensor', id: 1 } },
          nested: {
            Tensor: {
              fields: {
                elemType: { type: 'int32', id: 1 },
                shape: { type: 'TensorShapeProto', id: 2 },
              },
            },
          },
        },
      },
    },
  },
};

