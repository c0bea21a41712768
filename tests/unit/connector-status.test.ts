import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startConnector } from '../../src/jobs/connector.js';
import type { ChannelAdapter, ConnectionReport, ConnectionState, PlatformConnection, ReportConnection } from '../../src/ports/channel-adapter.js';
import type { ConnectionStatusStore } from '../../src/ports/connection-status.js';
import { FakeAdapterRegistry, FakeChannelRepository, fakeDeps, makeChannel } from '../support/fake-ports.js';

/**
 * issue 14 item 6: what the connector writes about a connection. Changes only (the same failure
 * again writes nothing), the connector's own retries keep `reconnecting` (a fresh attempt's
 * `connecting` is not news), a heartbeat while it runs, and the row removed when the channel goes
 * off, after which the old connection's reports are dropped.
 */
class RecordingStatusStore implements ConnectionStatusStore {
  readonly calls: string[] = [];
  readonly rows = new Map<string, ConnectionState>();
  async record(channelId: string, report: ConnectionReport) {
    this.calls.push(`record ${report.state}${report.error ? `: ${report.error}` : ''}`);
    this.rows.set(channelId, report.state);
  }
  async touch(channelId: string, state: ConnectionState) {
    this.calls.push(`touch ${state}`);
    return this.rows.get(channelId) === state;
  }
  async remove(channelId: string) {
    this.calls.push('remove');
    this.rows.delete(channelId);
  }
  get = async () => null;
  list = async () => [];
}

const until = async (what: string, check: () => boolean, ms = 3000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('the connector records connection states', () => {
  test('failures before any report, a recovery, a heartbeat, and the channel turned off', async () => {
    const channel = makeChannel({ id: 'ch-stream', kind: 'dingtalk_stream' });
    const channels = new FakeChannelRepository([channel]);
    const store = new RecordingStatusStore();
    let attempts = 0;
    let closed = 0;
    let lastReport: ReportConnection | undefined;
    const adapter: ChannelAdapter = {
      kind: 'dingtalk_stream', secretFields: [], safeToResend: false,
      parseConfig: (c) => c as Record<string, unknown>,
      send: async () => ({}),
      connect(_channel, _deliver, report): Promise<PlatformConnection> {
        attempts += 1;
        // A config that no longer parses throws at once; then the gateway answers.
        if (attempts <= 2) throw new Error('config no longer parses');
        lastReport = report;
        report?.({ state: 'connecting' });
        report?.({ state: 'connected' });
        return Promise.resolve({ close: async () => void (closed += 1) });
      },
    };
    const deps = fakeDeps({ channelRepository: channels, adapters: new FakeAdapterRegistry([adapter]), connectionStatus: store });
    const stop = startConnector(deps, 20, 40);
    try {
      await until('connected', () => store.rows.get('ch-stream') === 'connected');
      await until('a heartbeat', () => store.calls.includes('touch connected'));
      assert.deepEqual(store.calls.filter((c) => c.startsWith('record')), ['record reconnecting: config no longer parses', 'record connected'],
        'the same failure twice is one write; the retry\'s connecting is not news');

      await channels.update('ch-stream', { enabled: false });
      await until('removed', () => store.calls.includes('remove'));
      assert.equal(closed, 1);
      const after = store.calls.length;
      lastReport!({ state: 'reconnecting', error: 'socket closed' });
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(store.calls.slice(after).filter((c) => !c.startsWith('touch')), [], 'a closed connection reports nothing more');
      assert.equal(store.rows.has('ch-stream'), false);
    } finally {
      await stop();
    }
  });

  test('stopping the connector closes the connections and removes their rows', async () => {
    const channels = new FakeChannelRepository([makeChannel({ id: 'ch-a', kind: 'dingtalk_stream' })]);
    const store = new RecordingStatusStore();
    const adapter: ChannelAdapter = {
      kind: 'dingtalk_stream', secretFields: [], safeToResend: false,
      parseConfig: (c) => c as Record<string, unknown>,
      send: async () => ({}),
      async connect(_channel, _deliver, report) {
        report?.({ state: 'connected' });
        return { close: async () => {} };
      },
    };
    const stop = startConnector(fakeDeps({ channelRepository: channels, adapters: new FakeAdapterRegistry([adapter]), connectionStatus: store }), 20, 1000);
    await until('connected', () => store.rows.get('ch-a') === 'connected');
    await stop();
    assert.equal(store.rows.size, 0);
    assert.equal(store.calls.at(-1), 'remove');
  });
});
