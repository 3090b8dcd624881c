// Loaded with --import by the CLI tests: writes the process's peak resident memory (kB) on exit.
import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.MAXRSS_FILE, String(process.resourceUsage().maxRSS)));
