// Our additions to tfjs-node's C++ binding, applied to its sources before node-gyp builds it.
// tfjs-node passes op attributes of one value or lists of int/float/bool only; TensorFlow's
// fused convolution (_FusedConv2D and its oneDNN twin) needs list(string) `fused_ops` and
// list(type) `TArgs`. The binding then exports UNET_PATCH_LEVEL so that code can ask for them.
import fs from 'node:fs';
import path from 'node:path';

/** Raise when an edit is added; a binding reporting less is rebuilt. */
export const BINDING_PATCH_LEVEL = 1;

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

/** Each edit inserts `text` right after `anchor`, which must occur exactly once. */
const EDITS = [
  { file: 'binding/tfjs_backend.cc', anchor: '    case TF_ATTR_STRING: {\n', text: STRING_LIST },
  { file: 'binding/tfjs_backend.cc', anchor: '    case TF_ATTR_TYPE: {\n', text: TYPE_LIST },
  {
    file: 'binding/tfjs_binding.cc',
    anchor: '  EXPORT_INT_PROPERTY(TF_ATTR_SHAPE);\n',
    text: `  // ${MARKER}: what this build of the binding adds (see @unet/train's setup).\n  AssignIntProperty(env, exports, "UNET_PATCH_LEVEL", ${BINDING_PATCH_LEVEL});\n`,
  },
];

/**
 * Applies the edits to the package's binding sources, unless they are there already.
 * Returns 'applied', 'present', or the reason it could not (sources of another tfjs-node
 * version): the binding then builds as tfjs-node ships it and the fused kernels stay off.
 * Files are rewritten, never edited in place, so pnpm's hard-linked store copy stays intact.
 */
export function patchBindingSources(pkgDir) {
  const texts = new Map();
  for (const { file } of EDITS) {
    if (!texts.has(file)) texts.set(file, fs.readFileSync(path.join(pkgDir, file), 'utf8'));
  }
  if ([...texts.values()].every((t) => t.includes(MARKER))) return 'present';
  if ([...texts.values()].some((t) => t.includes(MARKER))) return 'partly patched sources';
  for (const { file, anchor, text } of EDITS) {
    const source = texts.get(file);
    const at = source.indexOf(anchor);
    if (at < 0 || source.indexOf(anchor, at + 1) >= 0)
      return `no single "${anchor.trim()}" in ${file}`;
    texts.set(file, source.slice(0, at + anchor.length) + text + source.slice(at + anchor.length));
  }
  for (const [file, text] of texts) {
    const target = path.join(pkgDir, file);
    const tmp = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, target);
  }
  return 'applied';
}
