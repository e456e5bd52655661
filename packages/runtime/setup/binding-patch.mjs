// Our additions to tfjs-node's C++ binding, applied to its sources before node-gyp builds it.
// 1: tfjs-node passes op attributes of one value or lists of int/float/bool only; TensorFlow's
//    fused convolution (_FusedConv2D and its oneDNN twin) needs list(string) `fused_ops` and
//    list(type) `TArgs`.
// 2: graph sessions (graphSessionCreate / graphSessionRun / graphSessionDelete, see
//    binding-graph.mjs), so a whole training step runs as one TensorFlow graph.
// 3: shape graphs (shapeGraphCreate / shapeGraphAdd / shapeGraphDelete), TensorFlow's shape
//    inference for recording a step without running it.
// 4: graph sessions feed from tfjs tensors and fetch into new ones without copies (two accessors
//    on TFJSBackend, which keeps its tensor handles private).
// The binding exports UNET_PATCH_LEVEL so that code can ask for them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BACKEND_ACCESSORS, GRAPH_EXPORTS, GRAPH_FUNCTIONS } from './binding-graph.mjs';

/** Raise when an edit is added; a binding reporting less is rebuilt. */
export const BINDING_PATCH_LEVEL = 4;

const MARKER = '@unet patch';

function listBranch(comment, declarations, element, setter) {
  return `      // ${MARKER}: ${comment}
      if (IsArray(env, nstatus, &js_value)) {
        uint32_t length;
        nstatus = napi_get_array_length(env, js_value, &length);
        ENSURE_NAPI_OK(env, nstatus);
${declarations}
        for (uint32_t i = 0; i < length; ++i) {
          napi_value element;
          nstatus = napi_get_element(env, js_value, i, &element);
          ENSURE_NAPI_OK(env, nstatus);
${element}
        }
        ${setter}
        break;
      }
`;
}

const STRING_LIST = listBranch(
  'a JS array of strings sets a list(string) attribute (fused_ops).',
  `        std::vector<std::string> strings(length);
        std::vector<const void *> values(length);
        std::vector<size_t> lengths(length);`,
  `          nstatus = GetStringParam(env, element, strings[i]);
          ENSURE_NAPI_OK(env, nstatus);
          values[i] = strings[i].data();
          lengths[i] = strings[i].size();`,
  `TFE_OpSetAttrStringList(tfe_op, attr_name, values.data(), lengths.data(),
                                static_cast<int>(length));`,
);

const TYPE_LIST = listBranch(
  'a JS array of type enums sets a list(type) attribute (TArgs).',
  '        std::vector<TF_DataType> types(length);',
  `          nstatus = napi_get_value_int32(env, element,
                                         reinterpret_cast<int32_t *>(&types[i]));
          ENSURE_NAPI_OK(env, nstatus);`,
  'TFE_OpSetAttrTypeList(tfe_op, attr_name, types.data(), static_cast<int>(length));',
);

/** Each edit inserts `text` right after `anchor` (before it with `before`), which must occur exactly once. */
const EDITS = [
  { file: 'binding/tfjs_backend.cc', anchor: '    case TF_ATTR_STRING: {\n', text: STRING_LIST },
  { file: 'binding/tfjs_backend.cc', anchor: '    case TF_ATTR_TYPE: {\n', text: TYPE_LIST },
  {
    file: 'binding/tfjs_backend.h',
    anchor: '  napi_value GetNumOfTensors(napi_env env);\n',
    text: BACKEND_ACCESSORS,
  },
  {
    file: 'binding/tfjs_binding.cc',
    anchor: '  EXPORT_INT_PROPERTY(TF_ATTR_SHAPE);\n',
    text: `  // ${MARKER}: what this build of the binding adds (see @unet/train's setup).\n  AssignIntProperty(env, exports, "UNET_PATCH_LEVEL", ${BINDING_PATCH_LEVEL});\n${GRAPH_EXPORTS}`,
  },
  {
    file: 'binding/tfjs_binding.cc',
    anchor: 'static napi_value InitTFNodeJSBinding(',
    before: true,
    text: GRAPH_FUNCTIONS,
  },
];

/**
 * The level and a digest of the edits' text: sources and cached builds carry it, so a changed
 * edit (a fix at the same level) is applied and built again instead of reusing the old build.
 */
export const BINDING_PATCH_ID = `${BINDING_PATCH_LEVEL}-${crypto
  .createHash('sha1')
  .update(JSON.stringify(EDITS))
  .digest('hex')
  .slice(0, 10)}`;

const PATCH_TAG = `// ${MARKER} level ${BINDING_PATCH_LEVEL} (${BINDING_PATCH_ID})\n`;
const PRISTINE_SUFFIX = '.unet-pristine';

/**
 * Applies the edits to the package's binding sources, unless they are there already.
 * Returns 'applied', 'present', or the reason it could not (sources of another tfjs-node
 * version): the binding then builds as tfjs-node ships it and the fused kernels stay off.
 * The shipped sources are kept beside (`*.unet-pristine`), so a later patch level starts from
 * them. Files are rewritten, never edited in place, so pnpm's hard-linked store copy stays intact.
 */
export function patchBindingSources(pkgDir) {
  const files = [...new Set(EDITS.map((e) => e.file))];
  const read = (file) => fs.readFileSync(path.join(pkgDir, file), 'utf8');
  if (files.every((file) => read(file).startsWith(PATCH_TAG))) return 'present';
  const pristine = new Map();
  for (const file of files) {
    const kept = path.join(pkgDir, `${file}${PRISTINE_SUFFIX}`);
    const text = fs.existsSync(kept) ? fs.readFileSync(kept, 'utf8') : read(file);
    if (text.includes(MARKER))
      return `${file} was patched by another release; reinstall the package`;
    pristine.set(file, text);
  }
  const texts = new Map(pristine);
  for (const { file, anchor, text, before } of EDITS) {
    const source = texts.get(file);
    const at = source.indexOf(anchor);
    if (at < 0 || source.indexOf(anchor, at + 1) >= 0) {
      return `no single "${anchor.trim()}" in ${file}`;
    }
    const cut = before ? at : at + anchor.length;
    texts.set(file, source.slice(0, cut) + text + source.slice(cut));
  }
  const replace = (target, text) => {
    const tmp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, target);
  };
  for (const [file, text] of texts) {
    const kept = path.join(pkgDir, `${file}${PRISTINE_SUFFIX}`);
    if (!fs.existsSync(kept)) replace(kept, pristine.get(file));
    replace(path.join(pkgDir, file), PATCH_TAG + text);
  }
  return 'applied';
}
