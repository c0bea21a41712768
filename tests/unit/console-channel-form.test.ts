import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildCreateBody, buildPatchBody, emptyForm, formFromChannel, splitList } from '../../src/console/admin/channel-form-model.js';
import type { ChannelView, KindField } from '../../src/console/admin/types.js';

const fields: KindField[] = [
  { name: 'corpId', label: 'CorpID', type: 'string', required: true },
  { name: 'agentId', label: 'AgentId', type: 'number', required: true },
  { name: 'secret', label: 'Secret', type: 'secret', required: true },
  { name: 'openKfIds', label: 'open_kfid', type: 'list', required: false },
  { name: 'handoffMode', label: 'mode', type: 'enum', required: false, options: ['console', 'wecom'] },
];

const stored: ChannelView = {
  id: 'ch_1',
  kind: 'wecom_kf',
  name: '客服',
  enabled: true,
  botEnabled: true,
  config: { corpId: 'ww1', agentId: 1000002, secret: '********', openKfIds: ['wk1', 'wk2'], handoffMode: 'console' },
  model: { name: 'lora-a', threshold: 0.7, systemPrompt: 'p' },
  handoff: { keywords: ['人工'], holdingMessage: '稍候' },
  welcomeMessage: null,
  callbackUrl: 'http://x/webhooks/wecom/ch_1',
  createdAt: '',
  updatedAt: '',
};

describe('channel form bodies', () => {
  test('an edit never sends the secret mask back, nor an untouched secret', () => {
    const form = formFromChannel(stored, fields);
    assert.equal(form.config.secret, '');
    const { body, errors } = buildPatchBody(fields, form, stored);
    assert.deepEqual(errors, {});
    const config = body!.config as Record<string, unknown>;
    assert.equal('secret' in config, false);
    assert.deepEqual(config, { corpId: 'ww1', agentId: 1000002, openKfIds: ['wk1', 'wk2'], handoffMode: 'console' });
    assert.equal(JSON.stringify(body).includes('********'), false);
  });

  test('a typed secret is sent; the switches are not part of an edit', () => {
    const form = { ...formFromChannel(stored, fields), config: { ...formFromChannel(stored, fields).config, secret: ' new-secret ' } };
    const { body } = buildPatchBody(fields, form, stored);
    assert.equal((body!.config as Record<string, unknown>).secret, 'new-secret');
    assert.equal('enabled' in body!, false);
    assert.equal('botEnabled' in body!, false);
  });

  test('a required secret must be typed when creating', () => {
    const form = { ...emptyForm('wecom_kf'), name: 'n', config: { corpId: 'ww', agentId: '12' } };
    const { body, errors } = buildCreateBody(fields, form);
    assert.equal(body, null);
    assert.deepEqual(errors, { 'config.secret': 'admin.form.required' });
  });

  test('create: numbers parsed, empty optionals left to the server defaults', () => {
    const form = { ...emptyForm('wecom_kf'), name: ' n ', config: { corpId: 'ww', agentId: '12', secret: 's' } };
    const { body } = buildCreateBody(fields, form);
    assert.deepEqual(body, { kind: 'wecom_kf', name: 'n', enabled: true, botEnabled: true, config: { corpId: 'ww', agentId: 12, secret: 's' }, model: { threshold: 0.6 }, handoff: { keywords: [] } });
  });

  test('threshold outside 0..1 and a non-number are refused', () => {
    const form = { ...formFromChannel(stored, fields), threshold: '1.2', config: { ...formFromChannel(stored, fields).config, agentId: 'x' } };
    const { body, errors } = buildPatchBody(fields, form, stored);
    assert.equal(body, null);
    assert.deepEqual(errors, { threshold: 'admin.form.thresholdRange', 'config.agentId': 'admin.form.notNumber' });
  });

  test('edit: an emptied list is sent as [], the model name as null, the welcome message as null', () => {
    const form = { ...formFromChannel(stored, fields), modelName: ' ', config: { ...formFromChannel(stored, fields).config, openKfIds: '' } };
    const { body } = buildPatchBody(fields, form, stored);
    assert.deepEqual((body!.config as Record<string, unknown>).openKfIds, []);
    assert.equal((body!.model as Record<string, unknown>).name, null);
    assert.equal(body!.welcomeMessage, null);
  });

  test('keyword lists split on lines and both kinds of comma, trimmed and de-duplicated', () => {
    assert.deepEqual(splitList('人工\n 投诉 ,退款，人工\n\n'), ['人工', '投诉', '退款']);
  });

  test('target wrong rate: percent in the form, a share in the body; empty is left out', () => {
    const form = { ...formFromChannel({ ...stored, model: { ...stored.model, targetWrongRate: 0.07 } }, fields) };
    assert.equal(form.targetWrongRate, '7');
    assert.equal((buildPatchBody(fields, { ...form, targetWrongRate: '2.5' }, stored).body!.model as any).targetWrongRate, 0.025);
    assert.equal('targetWrongRate' in (buildPatchBody(fields, { ...form, targetWrongRate: '' }, stored).body!.model as any), false);
    assert.deepEqual(buildPatchBody(fields, { ...form, targetWrongRate: '60' }, stored).errors, { targetWrongRate: 'admin.form.targetWrongRateRange' });
  });
});
