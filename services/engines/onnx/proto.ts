import protobuf from 'protobufjs'

/**
 * The part of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto3) that a model file needs: field numbers and
 * types as published, so the bytes protobufjs writes are a standard ONNX ModelProto.
 */
const ONNX_PROTO = `
syntax = "proto3";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10; }
  string name = 1;
  AttributeType type = 20;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; string doc_string = 3; }
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  string domain = 7;
  repeated AttributeProto attribute = 5;
}
message StringStringEntryProto { string key = 1; string value = 2; }
message ModelProto {
  int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  string producer_name = 2;
  string producer_version = 3;
  string domain = 4;
  int64 model_version = 5;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  string name = 8;
  bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
`

const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root
const ModelProto = root.lookupType('onnx.ModelProto')

/** ONNX TensorProto.DataType values. */
export const OnnxDataType = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 } as const
export type OnnxDType = keyof typeof OnnxDataType

export interface OnnxTensor { name: string, dims: number[], data_type: number, raw_data: Uint8Array }
export type OnnxAttribute =
  | { name: string, type: 1, f: number }
  | { name: string, type: 2, i: number }
  | { name: string, type: 3, s: Uint8Array }
  | { name: string, type: 6, floats: number[] }
  | { name: string, type: 7, ints: number[] }
export interface OnnxNode { name: string, op_type: string, input: string[], output: string[], attribute: OnnxAttribute[] }
export interface OnnxValueInfo { name: string, type: { tensor_type: { elem_type: number, shape: { dim: Array<{ dim_value: number } | { dim_param: string }> } } } }
export interface OnnxModel {
  ir_version: number
  opset_import: Array<{ domain: string, version: number }>
  producer_name: string
  producer_version: string
  doc_string?: string
  graph: { name: string, node: OnnxNode[], initializer: OnnxTensor[], input: OnnxValueInfo[], output: OnnxValueInfo[] }
  metadata_props?: Array<{ key: string, value: string }>
}

export function encodeModel (model: OnnxModel): Uint8Array {
  const problem = ModelProto.verify(model)
  if (problem !== null) throw new Error(`ONNX model does not fit the schema: ${problem}`)
  return ModelProto.encode(ModelProto.fromObject(model)).finish()
}

export function decodeModel (bytes: Uint8Array): OnnxModel {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Uint8Array, defaults: false, arrays: true, oneofs: false }) as unknown as OnnxModel
}
