import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './harness.js';

/** A Redis of our own on `port`, so killing or stopping it hurts no other test. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitFor('redis to listen', () => fetch(`http://127.0.0.1:${port}`).then(() => true, (e: Error & { cause?: { code?: string } }) => e.cause?.code !== 'ECONNREFUSED'));
  return child;
}
