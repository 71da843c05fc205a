import type { ServerResponse } from 'node:http';

export function sendObject(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}
