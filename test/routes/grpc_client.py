"""A client of the Open Inference Protocol over gRPC that this project did not write the stubs of: grpcio's code
generator (grpc_tools.protoc) compiles proto/grpc_predict_v2.proto, and this script calls the server with them.
test/routes/grpc.test.ts runs it and checks what it prints: one JSON object of results.

usage: grpc_client.py <stubs dir> <host:port> <api key> <mode: all | overload> <photo>...
"""
import json
import struct
import sys

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import grpc_predict_v2_pb2 as pb  # noqa: E402
import grpc_predict_v2_pb2_grpc as pb_grpc  # noqa: E402

target, key, mode, photos = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
stub = pb_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(target))
auth = [('authorization', 'Bearer ' + key)]
results = {}


def code_of(call):
    try:
        call()
        return 'OK'
    except grpc.RpcError as err:
        return err.code().name


def image_request(data, model='food', name='image', classification=None):
    request = pb.ModelInferRequest(model_name=model, id='req-1')
    tensor = request.inputs.add(name=name, datatype='BYTES', shape=[len(data)])
    tensor.contents.bytes_contents.extend(data)
    if classification is not None:
        output = request.outputs.add(name='probabilities')
        output.parameters['classification'].int64_param = classification
    return request


def read(path):
    with open(path, 'rb') as f:
        return f.read()


if mode == 'overload':
    results['overload'] = code_of(lambda: stub.ModelInfer(image_request([read(photos[0])]), metadata=auth, timeout=30))
    print(json.dumps(results))
    sys.exit(0)

results['live'] = stub.ServerLive(pb.ServerLiveRequest()).live
results['ready'] = stub.ServerReady(pb.ServerReadyRequest()).ready
results['model_ready'] = stub.ModelReady(pb.ModelReadyRequest(name='food'), metadata=auth).ready
results['model_ready_missing'] = code_of(lambda: stub.ModelReady(pb.ModelReadyRequest(name='dogs'), metadata=auth))
server = stub.ServerMetadata(pb.ServerMetadataRequest(), metadata=auth)
results['server_metadata'] = {'name': server.name, 'version': server.version, 'extensions': list(server.extensions)}
model = stub.ModelMetadata(pb.ModelMetadataRequest(name='food'), metadata=auth)
results['model_metadata'] = {
    'name': model.name, 'versions': list(model.versions), 'platform': model.platform,
    'inputs': [{'name': t.name, 'datatype': t.datatype, 'shape': list(t.shape)} for t in model.inputs],
    'outputs': [{'name': t.name, 'datatype': t.datatype, 'shape': list(t.shape)} for t in model.outputs],
}

# One photo per call, BYTES input in contents: FP32 probabilities in contents.
results['infer'] = []
for path in photos:
    response = stub.ModelInfer(image_request([read(path)]), metadata=auth, timeout=60)
    output = response.outputs[0]
    results['infer'].append({'model_name': response.model_name, 'model_version': response.model_version, 'id': response.id,
                             'name': output.name, 'datatype': output.datatype, 'shape': list(output.shape),
                             'fp32': list(output.contents.fp32_contents)})

# All photos in one call, as raw_input_contents (each element length-prefixed): raw_output_contents back.
raw = pb.ModelInferRequest(model_name='food', model_version='1')
raw.inputs.add(name='image', datatype='BYTES', shape=[len(photos)])
raw.raw_input_contents.append(b''.join(struct.pack('<I', len(read(p))) + read(p) for p in photos))
response = stub.ModelInfer(raw, metadata=auth, timeout=60)
data = response.raw_output_contents[0]
results['raw'] = {'shape': list(response.outputs[0].shape), 'fp32': list(struct.unpack('<%df' % (len(data) // 4), data))}

classified = stub.ModelInfer(image_request([read(photos[0])], classification=1), metadata=auth, timeout=60)
results['classification'] = {'datatype': classified.outputs[0].datatype, 'shape': list(classified.outputs[0].shape),
                             'strings': [s.decode() for s in classified.outputs[0].contents.bytes_contents]}

results['wrong_key'] = code_of(lambda: stub.ModelInfer(image_request([read(photos[0])]), metadata=[('authorization', 'Bearer ' + 'x' * 32)], timeout=30))
results['no_key'] = code_of(lambda: stub.ModelInfer(image_request([read(photos[0])]), timeout=30))
results['expired_deadline'] = code_of(lambda: stub.ModelInfer(image_request([read(photos[0])]), metadata=auth, timeout=0.000001))
results['bad_input_name'] = code_of(lambda: stub.ModelInfer(image_request([read(photos[0])], name='input0'), metadata=auth, timeout=30))
results['not_an_image'] = code_of(lambda: stub.ModelInfer(image_request([b'hello, not an image']), metadata=auth, timeout=30))
results['unknown_model'] = code_of(lambda: stub.ModelInfer(image_request([read(photos[0])], model='dogs'), metadata=auth, timeout=30))
results['unknown_version'] = code_of(lambda: stub.ModelInfer(pb.ModelInferRequest(model_name='food', model_version='9'), metadata=auth, timeout=30))
results['load_without_token'] = code_of(lambda: stub.RepositoryModelLoad(pb.RepositoryModelLoadRequest(model_name='food'), metadata=auth))
print(json.dumps(results))
