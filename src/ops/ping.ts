import type { ControlHandler } from './control.js';

export const ping: ControlHandler = () => ({ pid: process.pid });
