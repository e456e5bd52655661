// Patch level 2: C++ added to tfjs-node's tfjs_binding.cc so JS can run a whole TensorFlow graph
// (a training step or a forward pass) with one session call instead of one eager op per kernel.
// Only the TensorFlow C API is used (TF_GraphImportGraphDef, TF_NewSession, TF_SessionRun):
// the GraphDef and the ConfigProto are serialized in JS (see src/compiled/).
//
//   graphSessionCreate(graphDef: Uint8Array, config: Uint8Array, xla?: boolean) -> id
//   graphSessionRun(id, feedNames: string[], feedTypes: number[], feedShapes: number[][],
//                   feedData: TypedArray[], fetchNames: string[], targetNames: string[])
//     -> { dtype, shape, data: TypedArray }[]     (names are "node:output"; level 4 adds an
//                                                  eighth argument and tensor ids, see below)
//   graphSessionDelete(id)
//
// Patch level 3: a shape oracle, so a step can be recorded without running it (symbolic.ts):
//   shapeGraphCreate() -> id
//   shapeGraphAdd(id, graphDef: Uint8Array, inputs: string[], outputs: string[])
//     -> { dtype, shape: number[] | null }[]   (imports the nodes of graphDef, whose inputs named
//        in `inputs` are tensors already in the graph; returns TensorFlow's inferred dtype and
//        shape of each of `outputs`, -1 for an unknown dimension, null for an unknown rank)
//   shapeGraphDelete(id)
//
// Patch level 4: feeds and fetches are tfjs tensors without copies. A feed's data may be the
// binding's id of a tfjs tensor instead of a typed array (the session reads its buffer), and with
// asTensors graphSessionRun returns each fetch as a new tfjs tensor, { id, shape, dtype } as
// executeOp gives, instead of a copy in a typed array:
//   graphSessionRun(id, feedNames, feedTypes, feedShapes, feedData: (TypedArray | number)[],
//                   fetchNames, targetNames, asTensors: boolean)
// TFJSBackend gets two accessors for this (BACKEND_ACCESSORS, in tfjs_backend.h).

/** Inserted before InitTFNodeJSBinding. */
export const GRAPH_FUNCTIONS = `
// @unet patch: graph sessions (level 2).
// From c_api_experimental.h (not included by the binding): besides the config's jit level it sets
// the process flags XLA needs to cluster on CPU, which a ConfigProto alone cannot.
extern "C" void TF_EnableXLACompilation(TF_SessionOptions *options, unsigned char enable);
struct UnetGraphSession {
  TF_Graph *graph;
  TF_Session *session;
};
static std::unordered_map<int32_t, UnetGraphSession> unet_sessions;
static int32_t unet_next_session = 1;

static bool UnetFailed(napi_env env, TF_Status *status, const char *what) {
  if (TF_GetCode(status) == TF_OK) return false;
  std::string message = std::string(what) + ": " + TF_Message(status);
  napi_throw_error(env, nullptr, message.c_str());
  return true;
}

static size_t UnetElementSize(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

// The bytes behind a typed array (any element type), without copying.
static bool UnetBytes(napi_env env, napi_value value, void **data, size_t *bytes) {
  napi_typedarray_type type;
  size_t length, offset;
  napi_value buffer;
  if (napi_get_typedarray_info(env, value, &type, &length, data, &buffer, &offset) != napi_ok) {
    napi_throw_type_error(env, nullptr, "expected a typed array");
    return false;
  }
  *bytes = length * UnetElementSize(type);
  return true;
}

static bool UnetString(napi_env env, napi_value value, std::string &out) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, nullptr, 0, &length) != napi_ok) {
    napi_throw_type_error(env, nullptr, "expected a string");
    return false;
  }
  out.resize(length + 1);
  napi_get_value_string_utf8(env, value, &out[0], length + 1, &length);
  out.resize(length);
  return true;
}

static napi_value UnetElement(napi_env env, napi_value array, uint32_t i) {
  napi_value element = nullptr;
  napi_get_element(env, array, i, &element);
  return element;
}

static uint32_t UnetLength(napi_env env, napi_value array) {
  uint32_t length = 0;
  if (napi_get_array_length(env, array, &length) != napi_ok)
    napi_throw_type_error(env, nullptr, "expected an array");
  return length;
}

// "node:index" -> TF_Output; a bare name means output 0.
static bool UnetOutput(napi_env env, TF_Graph *graph, const std::string &name, TF_Output *out) {
  size_t colon = name.rfind(':');
  std::string node = colon == std::string::npos ? name : name.substr(0, colon);
  int index = colon == std::string::npos ? 0 : std::atoi(name.c_str() + colon + 1);
  TF_Operation *op = TF_GraphOperationByName(graph, node.c_str());
  if (op == nullptr) {
    std::string message = "no node " + node + " in the graph";
    napi_throw_error(env, nullptr, message.c_str());
    return false;
  }
  *out = TF_Output{op, index};
  return true;
}

// Element i of a JS array of "node:index" names -> its name and TF_Output.
static bool UnetOutputAt(napi_env env, TF_Graph *graph, napi_value array, uint32_t i,
                         std::string &name, TF_Output *out) {
  return UnetString(env, UnetElement(env, array, i), name) && UnetOutput(env, graph, name, out);
}

// Reads count arguments, the first an id in table; throws error (when given) if not.
template <typename Table>
static bool UnetArgsWithId(napi_env env, napi_callback_info info, size_t count, napi_value *args,
                           const Table &table, const char *error, int32_t *id) {
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  if (argc < count || napi_get_value_int32(env, args[0], id) != napi_ok || table.count(*id) == 0) {
    if (error != nullptr) napi_throw_error(env, nullptr, error);
    return false;
  }
  return true;
}

static napi_value GraphSessionCreate(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  bool xla = false;
  if (argc >= 3) napi_get_value_bool(env, args[2], &xla);
  void *graph_data, *config_data;
  size_t graph_bytes, config_bytes;
  if (argc < 2 || !UnetBytes(env, args[0], &graph_data, &graph_bytes) ||
      !UnetBytes(env, args[1], &config_data, &config_bytes))
    return nullptr;
  TF_Status *status = TF_NewStatus();
  TF_Graph *graph = TF_NewGraph();
  TF_Buffer *buffer = TF_NewBufferFromString(graph_data, graph_bytes);
  TF_ImportGraphDefOptions *options = TF_NewImportGraphDefOptions();
  TF_GraphImportGraphDef(graph, buffer, options, status);
  TF_DeleteImportGraphDefOptions(options);
  TF_DeleteBuffer(buffer);
  TF_Session *session = nullptr;
  if (!UnetFailed(env, status, "TF_GraphImportGraphDef")) {
    TF_SessionOptions *session_options = TF_NewSessionOptions();
    if (config_bytes > 0) TF_SetConfig(session_options, config_data, config_bytes, status);
    if (xla) TF_EnableXLACompilation(session_options, 1);
    if (!UnetFailed(env, status, "TF_SetConfig")) {
      session = TF_NewSession(graph, session_options, status);
      if (UnetFailed(env, status, "TF_NewSession")) session = nullptr;
    }
    TF_DeleteSessionOptions(session_options);
  }
  TF_DeleteStatus(status);
  if (session == nullptr) {
    TF_DeleteGraph(graph);
    return nullptr;
  }
  int32_t id = unet_next_session++;
  unet_sessions[id] = UnetGraphSession{graph, session};
  napi_value result;
  napi_create_int32(env, id, &result);
  return result;
}

static napi_value UnetTensorToJS(napi_env env, TF_Tensor *tensor) {
  napi_value object, shape, array_buffer, data, dtype;
  napi_create_object(env, &object);
  TF_DataType type = TF_TensorType(tensor);
  napi_create_int32(env, type, &dtype);
  int dims = TF_NumDims(tensor);
  napi_create_array_with_length(env, dims, &shape);
  for (int i = 0; i < dims; ++i) {
    napi_value dim;
    napi_create_int64(env, TF_Dim(tensor, i), &dim);
    napi_set_element(env, shape, i, dim);
  }
  size_t bytes = TF_TensorByteSize(tensor);
  void *target;
  napi_create_arraybuffer(env, bytes, &target, &array_buffer);
  if (bytes > 0) memcpy(target, TF_TensorData(tensor), bytes);
  napi_typedarray_type array_type = napi_uint8_array;
  size_t element = 1;
  if (type == TF_FLOAT) array_type = napi_float32_array, element = 4;
  else if (type == TF_INT32) array_type = napi_int32_array, element = 4;
  else if (type == TF_INT64) array_type = napi_bigint64_array, element = 8;
  napi_create_typedarray(env, array_type, bytes / element, array_buffer, 0, &data);
  napi_set_named_property(env, object, "dtype", dtype);
  napi_set_named_property(env, object, "shape", shape);
  napi_set_named_property(env, object, "data", data);
  return object;
}

static void UnetReleaseFed(void *data, size_t bytes, void *resolved) {
  TF_DeleteTensor(static_cast<TF_Tensor *>(resolved));
}

// One feed as a TF_Tensor of the given type and shape: a copy of a typed array's bytes, or a tfjs
// tensor's own buffer (a number: the binding's id for it; resolving it copies only off the CPU).
// Throws and returns nullptr when the data does not fit.
static TF_Tensor *UnetFeed(napi_env env, const std::string &name, TF_DataType type,
                           const std::vector<int64_t> &shape, napi_value value) {
  std::string wrong = "graphSessionRun: feed " + name + " has the wrong size or dtype";
  size_t bytes = TF_DataTypeSize(type);
  for (int64_t size : shape) {
    // TensorFlow aborts the process on a negative dimension.
    if (size < 0) {
      napi_throw_error(env, nullptr, ("graphSessionRun: feed " + name + " has a negative dimension").c_str());
      return nullptr;
    }
    bytes *= static_cast<size_t>(size);
  }
  napi_valuetype kind;
  napi_typeof(env, value, &kind);
  if (kind == napi_number) {
    int32_t tensor_id = 0;
    napi_get_value_int32(env, value, &tensor_id);
    TFE_TensorHandle *handle = GetTFJSBackend(env)->UnetHandle(tensor_id);
    if (handle == nullptr) {
      napi_throw_error(env, nullptr, ("graphSessionRun: feed " + name + ": no tfjs tensor " +
                                      std::to_string(tensor_id)).c_str());
      return nullptr;
    }
    TF_Status *status = TF_NewStatus();
    TF_Tensor *resolved = TFE_TensorHandleResolve(handle, status);
    bool failed = UnetFailed(env, status, ("graphSessionRun: feed " + name).c_str());
    TF_DeleteStatus(status);
    if (failed) return nullptr;
    if (TF_TensorType(resolved) != type || TF_TensorByteSize(resolved) != bytes) {
      TF_DeleteTensor(resolved);
      napi_throw_error(env, nullptr, wrong.c_str());
      return nullptr;
    }
    // The feed's shape over the tfjs tensor's buffer (tfjs may reshape without a new handle).
    // TF_NewTensor releases resolved itself when it fails.
    TF_Tensor *fed = TF_NewTensor(type, shape.data(), static_cast<int>(shape.size()),
                                  TF_TensorData(resolved), bytes, UnetReleaseFed, resolved);
    if (fed == nullptr) napi_throw_error(env, nullptr, wrong.c_str());
    return fed;
  }
  void *data;
  size_t given;
  if (!UnetBytes(env, value, &data, &given)) return nullptr;
  if (given != bytes) {
    napi_throw_error(env, nullptr, wrong.c_str());
    return nullptr;
  }
  TF_Tensor *tensor =
      TF_AllocateTensor(type, shape.data(), static_cast<int>(shape.size()), bytes);
  if (tensor == nullptr) {
    napi_throw_error(env, nullptr, wrong.c_str());
    return nullptr;
  }
  if (bytes > 0) memcpy(TF_TensorData(tensor), data, bytes);
  return tensor;
}

// The fetched tensors as new tfjs tensors ({ id, shape, dtype }), as RunSavedModel gives them.
// None is made unless all can be: a tensor made and not returned would never be freed.
static napi_value UnetTensorsToTfjs(napi_env env, const std::vector<TF_Tensor *> &tensors) {
  std::vector<TFE_TensorHandle *> handles;
  TF_Status *status = TF_NewStatus();
  for (TF_Tensor *tensor : tensors) {
    TFE_TensorHandle *handle = TFE_NewTensorHandle(tensor, status);
    if (TF_GetCode(status) != TF_OK) break;
    handles.push_back(handle);
  }
  napi_value result = nullptr;
  if (handles.size() < tensors.size()) {
    UnetFailed(env, status, "graphSessionRun: fetch");
    for (TFE_TensorHandle *handle : handles) TFE_DeleteTensorHandle(handle);
  } else {
    TFJSBackend *backend = GetTFJSBackend(env);
    napi_create_array_with_length(env, handles.size(), &result);
    for (size_t i = 0; i < handles.size(); ++i)
      napi_set_element(env, result, i, backend->UnetTensorInfo(env, handles[i]));
  }
  TF_DeleteStatus(status);
  return result;
}

static napi_value GraphSessionRun(napi_env env, napi_callback_info info) {
  napi_value args[8];
  size_t argc = 8;
  // asTensors (the eighth) may be left out: missing arguments read as undefined.
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  int32_t id = 0;
  if (!UnetArgsWithId(env, info, 7, args, unet_sessions, "graphSessionRun: no such session", &id))
    return nullptr;
  bool as_tensors = false;
  if (argc >= 8) napi_get_value_bool(env, args[7], &as_tensors);
  UnetGraphSession &s = unet_sessions[id];
  std::vector<TF_Output> inputs, outputs;
  std::vector<TF_Tensor *> input_values;
  std::vector<TF_Operation *> targets;
  bool ok = true;
  uint32_t feeds = UnetLength(env, args[1]);
  for (uint32_t i = 0; ok && i < feeds; ++i) {
    std::string name;
    int32_t type;
    TF_Output output;
    napi_value dims = UnetElement(env, args[3], i);
    ok = UnetString(env, UnetElement(env, args[1], i), name) &&
         napi_get_value_int32(env, UnetElement(env, args[2], i), &type) == napi_ok &&
         UnetOutput(env, s.graph, name, &output);
    if (!ok) break;
    uint32_t rank = UnetLength(env, dims);
    std::vector<int64_t> shape(rank);
    for (uint32_t d = 0; d < rank; ++d)
      napi_get_value_int64(env, UnetElement(env, dims, d), &shape[d]);
    TF_Tensor *tensor = UnetFeed(env, name, static_cast<TF_DataType>(type), shape,
                                 UnetElement(env, args[4], i));
    if (tensor == nullptr) {
      ok = false;
      break;
    }
    inputs.push_back(output);
    input_values.push_back(tensor);
  }
  uint32_t fetches = ok ? UnetLength(env, args[5]) : 0;
  for (uint32_t i = 0; ok && i < fetches; ++i) {
    std::string name;
    TF_Output output;
    ok = UnetOutputAt(env, s.graph, args[5], i, name, &output);
    if (ok) outputs.push_back(output);
  }
  uint32_t target_count = ok ? UnetLength(env, args[6]) : 0;
  for (uint32_t i = 0; ok && i < target_count; ++i) {
    std::string name;
    TF_Output output;
    ok = UnetOutputAt(env, s.graph, args[6], i, name, &output);
    if (ok) targets.push_back(output.oper);
  }
  napi_value result = nullptr;
  if (ok) {
    std::vector<TF_Tensor *> output_values(outputs.size(), nullptr);
    TF_Status *status = TF_NewStatus();
    TF_SessionRun(s.session, nullptr, inputs.data(), input_values.data(),
                  static_cast<int>(inputs.size()), outputs.data(), output_values.data(),
                  static_cast<int>(outputs.size()), targets.data(),
                  static_cast<int>(targets.size()), nullptr, status);
    if (!UnetFailed(env, status, "TF_SessionRun")) {
      if (as_tensors) {
        result = UnetTensorsToTfjs(env, output_values);
      } else {
        napi_create_array_with_length(env, outputs.size(), &result);
        for (size_t i = 0; i < outputs.size(); ++i)
          napi_set_element(env, result, i, UnetTensorToJS(env, output_values[i]));
      }
    }
    for (TF_Tensor *t : output_values)
      if (t) TF_DeleteTensor(t);
    TF_DeleteStatus(status);
  }
  for (TF_Tensor *t : input_values) TF_DeleteTensor(t);
  return result;
}

static napi_value GraphSessionDelete(napi_env env, napi_callback_info info) {
  napi_value args[1];
  int32_t id = 0;
  if (!UnetArgsWithId(env, info, 1, args, unet_sessions, nullptr, &id)) return nullptr;
  auto found = unet_sessions.find(id);
  TF_Status *status = TF_NewStatus();
  TF_CloseSession(found->second.session, status);
  TF_DeleteSession(found->second.session, status);
  TF_DeleteGraph(found->second.graph);
  TF_DeleteStatus(status);
  unet_sessions.erase(found);
  return nullptr;
}

// @unet patch: shape graphs (level 3).
static std::unordered_map<int32_t, TF_Graph *> unet_shape_graphs;

static napi_value ShapeGraphCreate(napi_env env, napi_callback_info info) {
  int32_t id = unet_next_session++;
  unet_shape_graphs[id] = TF_NewGraph();
  napi_value result;
  napi_create_int32(env, id, &result);
  return result;
}

static napi_value ShapeGraphAdd(napi_env env, napi_callback_info info) {
  napi_value args[4];
  int32_t id = 0;
  if (!UnetArgsWithId(env, info, 4, args, unet_shape_graphs, "shapeGraphAdd: no such shape graph",
                      &id))
    return nullptr;
  TF_Graph *graph = unet_shape_graphs[id];
  void *graph_data;
  size_t graph_bytes;
  if (!UnetBytes(env, args[1], &graph_data, &graph_bytes)) return nullptr;
  TF_ImportGraphDefOptions *options = TF_NewImportGraphDefOptions();
  uint32_t input_count = UnetLength(env, args[2]);
  std::vector<std::string> nodes(input_count);
  bool ok = true;
  for (uint32_t i = 0; ok && i < input_count; ++i) {
    std::string name;
    TF_Output output;
    ok = UnetOutputAt(env, graph, args[2], i, name, &output);
    if (!ok) break;
    size_t colon = name.rfind(':');
    nodes[i] = colon == std::string::npos ? name : name.substr(0, colon);
    TF_ImportGraphDefOptionsAddInputMapping(options, nodes[i].c_str(), output.index, output);
  }
  napi_value result = nullptr;
  TF_Status *status = TF_NewStatus();
  if (ok) {
    TF_Buffer *buffer = TF_NewBufferFromString(graph_data, graph_bytes);
    TF_GraphImportGraphDef(graph, buffer, options, status);
    TF_DeleteBuffer(buffer);
    ok = !UnetFailed(env, status, "shapeGraphAdd");
  }
  TF_DeleteImportGraphDefOptions(options);
  uint32_t output_count = ok ? UnetLength(env, args[3]) : 0;
  if (ok) napi_create_array_with_length(env, output_count, &result);
  for (uint32_t i = 0; ok && i < output_count; ++i) {
    std::string name;
    TF_Output output;
    ok = UnetOutputAt(env, graph, args[3], i, name, &output);
    if (!ok) break;
    napi_value object, dtype, shape;
    napi_create_object(env, &object);
    napi_create_int32(env, TF_OperationOutputType(output), &dtype);
    int dims = TF_GraphGetTensorNumDims(graph, output, status);
    if (TF_GetCode(status) != TF_OK || dims < 0) {
      napi_get_null(env, &shape);
    } else {
      std::vector<int64_t> sizes(dims);
      TF_GraphGetTensorShape(graph, output, sizes.data(), dims, status);
      napi_create_array_with_length(env, dims, &shape);
      for (int d = 0; d < dims; ++d) {
        napi_value dim;
        napi_create_int64(env, sizes[d], &dim);
        napi_set_element(env, shape, d, dim);
      }
    }
    napi_set_named_property(env, object, "dtype", dtype);
    napi_set_named_property(env, object, "shape", shape);
    napi_set_element(env, result, i, object);
  }
  TF_DeleteStatus(status);
  return ok ? result : nullptr;
}

static napi_value ShapeGraphDelete(napi_env env, napi_callback_info info) {
  napi_value args[1];
  int32_t id = 0;
  if (!UnetArgsWithId(env, info, 1, args, unet_shape_graphs, nullptr, &id)) return nullptr;
  auto found = unet_shape_graphs.find(id);
  TF_DeleteGraph(found->second);
  unet_shape_graphs.erase(found);
  return nullptr;
}

static void UnetDefineGraphFunctions(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"graphSessionCreate", nullptr, GraphSessionCreate, nullptr, nullptr, nullptr,
       napi_default, nullptr},
      {"graphSessionRun", nullptr, GraphSessionRun, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"graphSessionDelete", nullptr, GraphSessionDelete, nullptr, nullptr, nullptr,
       napi_default, nullptr},
      {"shapeGraphCreate", nullptr, ShapeGraphCreate, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"shapeGraphAdd", nullptr, ShapeGraphAdd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"shapeGraphDelete", nullptr, ShapeGraphDelete, nullptr, nullptr, nullptr, napi_default,
       nullptr},
  };
  napi_define_properties(env, exports, 6, properties);
}

`;

/** Inserted in TFJSBackend's public part (tfjs_backend.h), for the level-4 feeds and fetches. */
export const BACKEND_ACCESSORS = `  // @unet patch: graph sessions feed from and fetch into tfjs tensors (level 4).
  TFE_TensorHandle *UnetHandle(int32_t tensor_id) {
    auto found = tfe_handle_map_.find(tensor_id);
    return found == tfe_handle_map_.end() ? nullptr : found->second;
  }
  // Keeps the handle as a new tensor; returns { id, shape, dtype } as executeOp does.
  napi_value UnetTensorInfo(napi_env env, TFE_TensorHandle *handle) {
    return GenerateOutputTensorInfo(env, handle);
  }
`;

/** Inserted after the patch-level export in InitTFNodeJSBinding. */
export const GRAPH_EXPORTS = '  UnetDefineGraphFunctions(env, exports);\n';
