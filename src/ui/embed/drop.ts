/**
 * Files and folders dropped anywhere on the page. Folders arrive as directory entries and are
 * walked recursively (files in name order per folder); hidden files (.DS_Store) are left out. An
 * overlay shows where a drop goes while files are dragged over the page.
 */
import { isHidden, setPath } from './paths.ts';

/** All files under dropped entries (folders recursively), in name order per folder. */
export async function filesOfEntries(entries: FileSystemEntry[]): Promise<File[]> {
  const out: File[] = [];
  for (const entry of entries) {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      // The path inside what was dropped ("docs/a/README.md"), so two files of one name stay apart.
      setPath(file, entry.fullPath.replace(/^\//, ''));
      out.push(file);
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      const children: FileSystemEntry[] = [];
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        children.push(...batch);
      }
      children.sort((a, b) => a.name.localeCompare(b.name));
      out.push(...(await filesOfEntries(children)));
    }
  }
  return out;
}

export function listenForDrops(onFiles: (files: File[]) => void): void {
  const overlay = document.getElementById('drop-overlay')!;
  const carriesFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  let depth = 0;
  document.addEventListener('dragenter', (e) => carriesFiles(e) && (depth++, (overlay.hidden = false)));
  document.addEventListener('dragleave', (e) => carriesFiles(e) && --depth <= 0 && ((depth = 0), (overlay.hidden = true)));
  document.addEventListener('dragover', (e) => carriesFiles(e) && e.preventDefault());
  document.addEventListener('drop', async (e) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const entries = [...(e.dataTransfer?.items ?? [])].map((i) => i.webkitGetAsEntry?.()).filter((x): x is FileSystemEntry => !!x);
    const files = entries.length ? await filesOfEntries(entries) : [...(e.dataTransfer?.files ?? [])];
    onFiles(files.filter((f) => !isHidden(f)));
  });
}
