import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BINDING_PATCH_ID,
  BINDING_PATCH_LEVEL,
  patchBindingSources,
} from '../setup/binding-patch.mjs';

const BACKEND_CC = `void AssignOpAttr(napi_env env, TFE_Op *tfe_op, napi_value attr_value) {
  switch (tf_attr_type) {
    case TF_ATTR_STRING: {
      std::string str_value;
      break;
    }
    case TF_ATTR_TYPE: {
      TF_DataType tf_data_type;
      break;
    }
  }
}
`;
const BACKEND_H = `class TFJSBackend {
 public:
  napi_value GetNumOfTensors(napi_env env);

 private:
  std::unordered_map<int32_t, TFE_TensorHandle *> tfe_handle_map_;
};
`;
const BINDING_CC = `static napi_value InitTFNodeJSBinding(napi_env env, napi_value exports) {
  EXPORT_INT_PROPERTY(TF_ATTR_TYPE);
  EXPORT_INT_PROPERTY(TF_ATTR_SHAPE);
#undef EXPORT_INT_PROPERTY
}
`;

const dirs: string[] = [];
function fixture(backend = BACKEND_CC): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-binding-patch-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'binding'));
  fs.writeFileSync(path.join(dir, 'binding', 'tfjs_backend.cc'), backend);
  fs.writeFileSync(path.join(dir, 'binding', 'tfjs_binding.cc'), BINDING_CC);
  fs.writeFileSync(path.join(dir, 'binding', 'tfjs_backend.h'), BACKEND_H);
  return dir;
}
const read = (dir: string, file: string) =>
  fs.readFileSync(path.join(dir, 'binding', file), 'utf8');

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("patchBindingSources (unet-setup-tensorflow's edits to tfjs-node's binding)", () => {
  it('inserts the list(string) and list(type) branches and the patch level, once', () => {
    const dir = fixture();
    expect(patchBindingSources(dir)).toBe('applied');
    const backend = read(dir, 'tfjs_backend.cc');
    const stringCase = backend.indexOf('case TF_ATTR_STRING: {');
    const typeCase = backend.indexOf('case TF_ATTR_TYPE: {');
    const stringList = backend.indexOf('TFE_OpSetAttrStringList');
    const typeList = backend.indexOf('TFE_OpSetAttrTypeList');
    // Each list branch sits inside its own case, before the single-value code.
    expect(stringCase).toBeLessThan(stringList);
    expect(stringList).toBeLessThan(backend.indexOf('std::string str_value;'));
    expect(typeCase).toBeLessThan(typeList);
    expect(typeList).toBeLessThan(backend.indexOf('TF_DataType tf_data_type;'));
    const binding = read(dir, 'tfjs_binding.cc');
    expect(binding).toContain(
      `AssignIntProperty(env, exports, "UNET_PATCH_LEVEL", ${BINDING_PATCH_LEVEL});`,
    );
    // Level 2: the graph-session functions sit before the init function, which exports them.
    expect(binding.indexOf('static napi_value GraphSessionRun(')).toBeLessThan(
      binding.indexOf('static napi_value InitTFNodeJSBinding('),
    );
    expect(binding).toContain('UnetDefineGraphFunctions(env, exports);');
    // Level 4: the handle accessors sit in TFJSBackend's public part.
    const header = read(dir, 'tfjs_backend.h');
    expect(header.indexOf('TFE_TensorHandle *UnetHandle(int32_t tensor_id)')).toBeGreaterThan(
      header.indexOf(' public:'),
    );
    expect(header.indexOf('napi_value UnetTensorInfo(')).toBeLessThan(header.indexOf(' private:'));
    expect(
      backend.startsWith(`// @unet patch level ${BINDING_PATCH_LEVEL} (${BINDING_PATCH_ID})\n`),
    ).toBe(true);
    expect(read(dir, 'tfjs_backend.cc.unet-pristine')).toBe(BACKEND_CC);
    expect(patchBindingSources(dir)).toBe('present');
    expect(read(dir, 'tfjs_backend.cc')).toBe(backend);
  });

  it('re-patches sources of an older patch level from the kept original, without doubling edits', () => {
    const dir = fixture();
    patchBindingSources(dir);
    const current = read(dir, 'tfjs_backend.cc');
    for (const file of ['tfjs_backend.cc', 'tfjs_binding.cc']) {
      const text = read(dir, file).replace(/^\/\/ @unet patch level \d+/, '// @unet patch level 0');
      fs.writeFileSync(path.join(dir, 'binding', file), text);
    }
    expect(patchBindingSources(dir)).toBe('applied');
    expect(read(dir, 'tfjs_backend.cc')).toBe(current);
    expect(read(dir, 'tfjs_backend.cc').split('TFE_OpSetAttrStringList').length).toBe(2);
  });

  it('re-patches sources of the same level whose edits changed (a fix in the C++)', () => {
    const dir = fixture();
    patchBindingSources(dir);
    const current = read(dir, 'tfjs_backend.cc');
    const stale = current.replace(/\(\S+\)\n/, '(0000000000)\n');
    expect(stale).not.toBe(current);
    fs.writeFileSync(path.join(dir, 'binding', 'tfjs_backend.cc'), stale);
    expect(patchBindingSources(dir)).toBe('applied');
    expect(read(dir, 'tfjs_backend.cc')).toBe(current);
  });

  it('refuses sources patched by another release when their original was not kept', () => {
    const dir = fixture(`// @unet patch level 9\n${BACKEND_CC}`);
    expect(patchBindingSources(dir)).toMatch(/patched by another release; reinstall/);
  });

  it('leaves sources it does not recognise untouched and says why', () => {
    const dir = fixture(BACKEND_CC.replace('case TF_ATTR_TYPE: {', 'case TF_ATTR_DTYPE: {'));
    const before = read(dir, 'tfjs_backend.cc');
    expect(patchBindingSources(dir)).toMatch(
      /no single "case TF_ATTR_TYPE: \{" in binding\/tfjs_backend\.cc/,
    );
    expect(read(dir, 'tfjs_backend.cc')).toBe(before);
    expect(read(dir, 'tfjs_binding.cc')).toBe(BINDING_CC);
  });

  it("replaces files instead of writing through them, so pnpm's hard-linked store copy keeps the original", () => {
    const dir = fixture();
    const storeCopy = path.join(dir, 'store-copy.cc');
    fs.linkSync(path.join(dir, 'binding', 'tfjs_backend.cc'), storeCopy);
    patchBindingSources(dir);
    expect(fs.readFileSync(storeCopy, 'utf8')).toBe(BACKEND_CC);
  });

  it("applies to the installed tfjs-node's own sources (or finds them patched)", () => {
    const require = createRequire(import.meta.url);
    const pkgDir = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-binding-installed-'));
    dirs.push(copy);
    fs.cpSync(path.join(pkgDir, 'binding'), path.join(copy, 'binding'), { recursive: true });
    // The binding may come from the setup's cache, leaving these sources as tfjs-node ships them.
    expect(patchBindingSources(copy)).toMatch(/^(applied|present)$/);
    expect(fs.readFileSync(path.join(copy, 'binding', 'tfjs_backend.cc'), 'utf8')).toContain(
      'TFE_OpSetAttrStringList',
    );
  });
});
