// The TensorFlow C library a binding is built against: extracted once from a Python
// wheel into the cache, or a directory the user already has.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { log } from './log.mjs';

// Headers the binding includes (tensorflow/c/c_api.h, eager/c_api.h) and what they include.
const HEADER_PREFIXES = [
  'tensorflow/c/',
  'tensorflow/core/platform/',
  'tsl/platform/',
  'xla/tsl/c/',
  'xla/tsl/platform/',
];
const LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'];

const EXTRACT_SCRIPT = `
import sys, zipfile, os, shutil
wheel, dest, prefixes, libs = sys.argv[1], sys.argv[2], sys.argv[3].split(','), sys.argv[4].split(',')
z = zipfile.ZipFile(wheel)
for info in z.infolist():
    name = info.filename
    if name.endswith('/'):
        continue
    if name.startswith('tensorflow/include/'):
        rel = name[len('tensorflow/include/'):]
        if not rel.startswith(tuple(prefixes)):
            continue
        target = os.path.join(dest, 'include', rel)
    elif name.startswith('tensorflow/') and name[len('tensorflow/'):] in libs:
        target = os.path.join(dest, 'lib', name[len('tensorflow/'):])
    else:
        continue
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with z.open(info) as src, open(target, 'wb') as out:
        shutil.copyfileobj(src, out, 1 << 20)
`;

function slug(requirement) {
  return requirement.replace(/[^A-Za-z0-9.]+/g, '-');
}

function run(command, args, what) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw new Error(`${what}: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${what} failed (exit ${result.status}):\n${tail}`);
  }
  return result.stdout;
}

export function libtensorflowCacheDir(options, wheel) {
  return path.join(options.cacheDir, 'libtensorflow', slug(wheel));
}

/** A libtensorflow directory (include/ + lib/) from the wheel, extracted once into the cache. */
export function libtensorflowFromWheel(options) {
  const dir = libtensorflowCacheDir(options, options.wheel);
  if (fs.existsSync(path.join(dir, '.complete'))) {
    log(`using cached TensorFlow C library from ${options.wheel} (${dir})`);
    return { dir, id: slug(options.wheel) };
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = fs.mkdtempSync(`${dir}.partial-`);
  try {
    log(`downloading ${options.wheel} with pip (about 270 MB) for its TensorFlow C library`);
    const download = path.join(staging, 'wheel');
    run(
      options.python,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', download, options.wheel],
      `${options.python} -m pip download ${options.wheel}`,
    );
    const wheelFile = fs.readdirSync(download).find((f) => f.endsWith('.whl'));
    if (!wheelFile) throw new Error(`pip download ${options.wheel} produced no .whl file`);
    const out = path.join(staging, 'out');
    run(
      options.python,
      [
        '-c',
        EXTRACT_SCRIPT,
        path.join(download, wheelFile),
        out,
        HEADER_PREFIXES.join(','),
        LIBRARIES.join(','),
      ],
      `extracting ${wheelFile}`,
    );
    checkLibtensorflowDir(out);
    fs.writeFileSync(path.join(out, '.complete'), `${wheelFile}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(out, dir); // atomic: a half-extracted library is never taken for a complete one
    log(`extracted ${wheelFile} into ${dir}`);
    return { dir, id: slug(options.wheel) };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Checks a user-supplied or extracted directory and returns the library files in it. */
export function checkLibtensorflowDir(dir) {
  const header = path.join(dir, 'include', 'tensorflow', 'c', 'c_api.h');
  if (!fs.existsSync(header)) throw new Error(`${dir} has no include/tensorflow/c/c_api.h`);
  const lib = path.join(dir, 'lib');
  const files = fs.existsSync(lib) ? fs.readdirSync(lib) : [];
  const main =
    files.find((f) => f === 'libtensorflow_cc.so.2') ??
    files.find((f) => /^libtensorflow\.so(\.2)?$/.test(f));
  const framework = files.find((f) => /^libtensorflow_framework\.so(\.2)?$/.test(f));
  if (!main || !framework) {
    throw new Error(
      `${lib} must hold libtensorflow.so.2 (or libtensorflow_cc.so.2) and libtensorflow_framework.so.2`,
    );
  }
  return { main: path.join(lib, main), framework: path.join(lib, framework) };
}
