import type { Io } from '../io.js';
import { setSuspended } from './suspend.js';

export function resumeCommand(argv: string[], io: Io): Promise<number> {
  return setSuspended('resume', argv, io);
}
