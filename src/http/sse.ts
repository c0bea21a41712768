import { PassThrough } from 'node:stream';
import type { Context } from 'koa';

/**
 * Opens a Server-Sent Events stream. Returns a writer and registers `onClose`; a comment line
 * every 15 s keeps proxies from closing an idle stream.
 */
export function openEventStream(ctx: Context, onClose: () => void): (event: string, data: unknown) => void {
  const stream = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  ctx.status = 200;
  ctx.body = stream;
  stream.write(': connected\n\n');
  const heartbeat = setInterval(() => stream.write(': ping\n\n'), 15000);
  const close = () => {
    clearInterval(heartbeat);
    onClose();
  };
  ctx.req.on('close', close);
  return (event, data) => {
    stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
}
