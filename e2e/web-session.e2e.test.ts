// Whether someone is logged in, as the web app finds out on load: a visitor who is not sees the
// log-in page without a single failed request or console error (asking GET /me used to answer
// 401 on every load: a red line in the console for every visitor), a logged-in visitor's reload
// stays in the app, and a session that ended while the browser kept its cookie (it expired on
// the server, say) ends on the log-in page, quietly too.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { logIn, step } from './support/browser.ts';
import { webHarness } from './support/harness.ts';

const web = webHarness();

/** A fresh browser profile (no cookies) whose failed requests and console errors are kept. */
async function watchedPage(): Promise<{ page: Page; failures: string[] }> {
  const context = await web.newContext();
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    // A navigation cancels what the page it leaves still had in flight: not a failure.
    const error = request.failure()?.errorText ?? '';
    if (error !== 'net::ERR_ABORTED') failures.push(`${error} ${request.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') failures.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
  return { page, failures };
}

/** The log-in page, loaded and settled (its demo logins shown, the network idle). */
async function loginPageShown(page: Page): Promise<void> {
  await page.waitForURL((url) => url.pathname === '/login');
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.getByText('Demo logins').waitFor();
  await page.waitForLoadState('networkidle');
}

describe.sequential('the session on load', () => {
  it('shows the log-in page to a visitor who is not logged in without a failed request or console error', async () => {
    const { page, failures } = await watchedPage();
    await step(page, 'session-login-page-logged-out', async () => {
      await page.goto(`${web.server.url}/login`);
      await loginPageShown(page);
    });
    // The app's start page sends the visitor to the log-in page, quietly as well.
    await step(page, 'session-start-page-logged-out', async () => {
      await page.goto(`${web.server.url}/`);
      await loginPageShown(page);
    });
    expect(failures).toEqual([]);
  });

  it('keeps a logged-in visitor in the app across a reload, and ends an ended session on the log-in page', async () => {
    const { page, failures } = await watchedPage();
    await step(page, 'session-log-in', async () => {
      await logIn(page, web.server.url, 'buyer@acme.example');
      await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
      await page.waitForLoadState('networkidle');
    });
    await step(page, 'session-reload-logged-in', async () => {
      await page.reload();
      await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
      await page.getByRole('button', { name: 'Log out' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/portal');
      await page.waitForLoadState('networkidle');
      // A new page of the same browser (a fresh load of the app, no state in memory) too.
      await page.goto(`${web.server.url}/orders`);
      await page.getByRole('button', { name: 'Log out' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/orders');
      await page.waitForLoadState('networkidle');
    });

    await step(page, 'session-ended-on-the-server', async () => {
      // The session ends on the server while the browser keeps its cookie (it expired there, or
      // was revoked): log it out from outside the browser with the browser's own cookie.
      const cookies = await page.context().cookies(web.server.url);
      const session = cookies.find((c) => c.name === 'od_session');
      expect(session).toBeDefined();
      const csrfToken = await page.evaluate(() => sessionStorage.getItem('orderdesk.csrf'));
      const out = await fetch(`${web.server.url}/api/v1/session`, {
        method: 'DELETE',
        headers: { cookie: `od_session=${session!.value}`, 'x-csrf-token': csrfToken ?? '' },
      });
      expect(out.status).toBe(204);
      expect((await page.context().cookies(web.server.url)).map((c) => c.name)).toContain(
        'od_session',
      );
      await page.reload();
      await loginPageShown(page);
      expect(new URL(page.url()).searchParams.get('next')).toBe('/orders');
    });

    await step(page, 'session-expired-in-the-browser', async () => {
      // The cookie itself expired (the browser drops it): the log-in page again.
      await logIn(page, web.server.url, 'buyer@acme.example');
      await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
      await page.waitForLoadState('networkidle');
      await page.context().clearCookies();
      await page.goto(`${web.server.url}/portal`);
      await loginPageShown(page);
    });
    expect(failures).toEqual([]);
  });
});
