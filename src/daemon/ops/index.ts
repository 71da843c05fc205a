import type { ControlHandler } from '../control.js';
import { ping } from './ping.js';
import { rerun } from './rerun.js';
import { sync } from './sync.js';

// One module per operation; register each here.
export const handlers: Readonly<Record<string, ControlHandler>> = {
  ping,
  rerun,
  sync,
};
