/**
 * Where a file came from: its path inside a dropped or picked folder ("docs/a/README.md"), else
 * its name. Dropped entries carry their path beside the File (set by drop.ts); picked folders
 * carry it as `webkitRelativePath`.
 */
const paths = new WeakMap<File, string>();

export const setPath = (f: File, path: string) => void paths.set(f, path);
export const pathOf = (f: File) => paths.get(f) || f.webkitRelativePath || f.name;

/** Hidden files and anything inside a hidden folder (.DS_Store, .git/) are left out of a drop. */
export const isHidden = (f: File) => pathOf(f).split('/').some((part) => part.startsWith('.'));
