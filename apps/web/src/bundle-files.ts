import type { BundleSource } from '@unet/infer';

/**
 * A {@link BundleSource} over the files of a folder picked with `webkitdirectory`: names are
 * matched inside the folder that holds `unet.json` (or the picked folder's top level), so picking
 * the bundle folder itself or its parent with one bundle both work.
 */
export function folderBundleSource(files: FileList | File[]): BundleSource {
  const list = [...files];
  const pathOf = (f: File) => f.webkitRelativePath || f.name;
  const manifest = list.find((f) => pathOf(f).split('/').pop() === 'unet.json');
  const first = list[0] ? pathOf(list[0]) : '';
  const folder = manifest
    ? pathOf(manifest).split('/').slice(0, -1).join('/')
    : first.split('/').slice(0, -1).join('/');
  const byName = new Map<string, File>();
  for (const file of list) {
    const p = pathOf(file);
    const dir = p.split('/').slice(0, -1).join('/');
    if (dir === folder) byName.set(p.split('/').pop()!, file);
  }
  return {
    label: folder || 'the picked folder',
    async read(name) {
      const file = byName.get(name);
      return file ? file.arrayBuffer() : null;
    },
  };
}
