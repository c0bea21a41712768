import { PassThrough } from 'node:stream';
import type { Context } from 'koa';

/**
 * Opens a Server-Sent Events stream. Returns a writer and `end`, and registers `onClose`; a
 * comment line every 15 s keeps proxies from closing an idle stream.
 */
export interface EventStream {
  // Function properties, not methods: callers may take them off the object (`const { write } = ...`).
  write: (event: string, data: unknown) => void;
  /** Ends the stream from our side (the caller's `onClose` runs once the request closes). */
  end: () => void;
}

export function openEventStream(ctx: Context, onClose: () => void): EventStream {
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
  return {
    write: (event, data) => void stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    end: () => void stream.end(),
  };
}
