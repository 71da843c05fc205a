import type { ServerResponse } from 'node:http';

export function sendObject(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  sendText(res, status, JSON.stringify(body), contentType);
}

/** A body already serialised. */
export function sendText(res: ServerResponse, status: number, text: string, contentType = 'application/json'): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}
