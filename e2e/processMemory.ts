/**
 * The memory of the browser under test, as the hardening issue measured it: the resident memory
 * (Linux /proc, proportional set size so shared pages count once) of every Chromium process of the
 * test's profile, summed, sampled every 100 ms from this process while `during` runs.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** MiB resident in the Chromium processes started by Playwright (its profiles live in playwright_chromiumdev_profile-*). */
export function browserMiB(): number {
  let kib = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!cmd.includes('chromium') || !cmd.includes('playwright')) continue;
      const pss = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
      kib += pss ? Number(pss[1]) : 0;
    } catch {
      // the process ended between the listing and the read
    }
  }
  return kib / 1024;
}

/** The browser's memory before `during`, and its peak while it runs. */
export async function browserPeak(during: () => Promise<void>): Promise<{ beforeMiB: number; peakMiB: number }> {
  const beforeMiB = browserMiB();
  let peakMiB = beforeMiB;
  const timer = setInterval(() => (peakMiB = Math.max(peakMiB, browserMiB())), 100);
  try {
    await during();
  } finally {
    clearInterval(timer);
  }
  return { beforeMiB, peakMiB: Math.max(peakMiB, browserMiB()) };
}
