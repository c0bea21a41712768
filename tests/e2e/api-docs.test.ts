/**
 * The API reference page (issue 16 item 3) in Chromium: Swagger UI, served by the service itself
 * under its strict Content-Security-Policy (no inline script, no eval), renders every operation of
 * /api/openapi.json. A CSP that blocks the bundle, or a document the renderer rejects, shows here
 * as no operations or as a console error (CSP violations are logged as errors).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createStorage, mode, startTestService, type Storage, type TestService } from '../support/harness.js';
import { launchBrowser, screenshot, type BrowserSession } from './support/browser.js';

describe(`the API reference page (${mode})`, { timeout: 120_000 }, () => {
  let storage: Storage;
  let svc: TestService;
  let browser: BrowserSession;

  before(async () => {
    storage = await createStorage();
    svc = await startTestService(storage);
    browser = await launchBrowser({ locale: 'en-US' });
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await storage?.dispose();
  });

  test('renders every documented operation without a CSP violation or a page error', async () => {
    const document = (await (await fetch(`${svc.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(document.paths).reduce((n, item) => n + Object.keys(item).filter((k) => k !== 'parameters').length, 0);
    assert.ok(operations > 50, `the document lists ${operations} operations`);

    const page = browser.page;
    await page.goto(`${svc.url}/api/docs`);
    await page.locator('#swagger-ui .opblock').first().waitFor();
    assert.equal(await page.locator('#swagger-ui .opblock').count(), operations);
    // One operation opens and shows its request body schema (the zod schema, converted).
    const createQuickReply = page.locator('#swagger-ui .opblock-post', { hasText: '/api/quick-replies' }).first();
    await createQuickReply.locator('.opblock-summary').click();
    await createQuickReply.locator('.opblock-body').getByText('Request body').waitFor();
    assert.deepEqual(browser.errors, []);
    await screenshot(page, 'api-docs-laptop');
  });
});
