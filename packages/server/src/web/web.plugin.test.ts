// The web app's public endpoint and the line between the app's paths and the API's.
import { afterEach, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from '../../test/harness.ts';

describe.each(testDialects())('web app serving on %s', (dialect) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('lists the demo logins only when the demo is on and its data is loaded', async () => {
    t = await createTestApp(dialect, { ORDERDESK_DEMO: true });
    const body = (await t.as(null).get('/api/v1/demo-logins')).json();
    expect(body.demo).toBe(true);
    expect(body.password).toBe('demo');
    const emails = body.logins.map((l: { email: string }) => l.email);
    expect(emails).toEqual(
      expect.arrayContaining([
        'buyer@acme.example',
        'desk@skyline.example',
        'admin@edgeworks.example',
      ]),
    );
    expect(emails).toHaveLength(3 + 3 * 6);
  });

  it('lists none without the demo, and never a changed demo password', async () => {
    t = await createTestApp(dialect);
    expect((await t.as(null).get('/api/v1/demo-logins')).json()).toEqual({
      demo: false,
      password: null,
      logins: [],
    });
    await t.close();
    t = await createTestApp(dialect, { ORDERDESK_DEMO: true, ORDERDESK_DEMO_PASSWORD: 's3cret' });
    const body = (await t.as(null).get('/api/v1/demo-logins')).json();
    expect(body.demo).toBe(true);
    expect(body.password).toBeNull();
    expect(JSON.stringify(body)).not.toContain('s3cret');
  });

  it('answers /favicon.ico with the app’s icon, without logging in', async () => {
    t = await createTestApp(dialect);
    const response = await t.as(null).get('/favicon.ico');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('image/svg+xml');
    expect(response.body).toMatch(/^<svg /);
  });

  it('keeps the API’s own 404 problem for unknown API paths', async () => {
    t = await createTestApp(dialect);
    const response = await t.as(null).get('/api/v1/no-such-thing');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });
});
