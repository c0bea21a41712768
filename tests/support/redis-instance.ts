/**
 * A Redis of a test's own on a spare port, so killing or stopping it hurts no other test. No
 * persistence: a restart comes back empty, as a Redis that lost its memory does (reliability.md §4.2).
 */
import net from 'node:net';
import { freePort } from './child-service.js';
import { LocalServer } from './process-group.js';

export class RedisInstance extends LocalServer {
  private constructor(readonly port: number) {
    super();
  }

  static async create(): Promise<RedisInstance> {
    const instance = new RedisInstance(await freePort());
    await instance.start();
    return instance;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await this.spawnAndWait(`Redis on port ${this.port}`, 'redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      async () => (await this.command('PING').catch(() => '')) === '+PONG', 15_000);
  }

  async flushAll(): Promise<void> {
    const answer = await this.command('FLUSHALL');
    if (answer !== '+OK') throw new Error(`FLUSHALL answered ${answer}`);
  }

  async dispose(): Promise<void> {
    await this.proc?.kill9();
  }

  /** One inline command; the first line of the answer. */
  command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: this.port }, () => socket.write(`${line}\r\n`));
      let answer = '';
      socket.setTimeout(2000, () => {
        socket.destroy();
        reject(new Error(`Redis did not answer ${line}`));
      });
      socket.on('data', (d) => {
        answer += d.toString('utf8');
        if (answer.includes('\r\n')) {
          socket.destroy();
          resolve(answer.split('\r\n')[0]);
        }
      });
      socket.on('error', reject);
    });
  }
}
