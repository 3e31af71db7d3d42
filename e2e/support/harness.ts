// What every browser test file runs against: the web app's server (built first if needed) and
// one Chromium, started before the file's tests and stopped after them, with every browser
// profile the file opened.
import { afterAll, beforeAll } from 'vitest';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { launchBrowser, logIn } from './browser.ts';
import { ensureWebBuilt, startWebServer, type RunningWebServer } from './web-server.ts';

export interface WebHarness {
  /** The running server (after beforeAll). */
  readonly server: RunningWebServer;
  /** A fresh browser profile (its own cookies; `en-GB` unless told), closed after the file. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A fresh browser profile logged in as the user (each user its own cookies). */
  as(email: string, width?: number): Promise<Page>;
}

/** Registers the file's beforeAll/afterAll and gives what its tests use. */
export function webHarness(): WebHarness {
  let server: RunningWebServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startWebServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await server?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`The ${what} is not started yet (beforeAll)`);
    return value;
  };
  const newContext = async (options: BrowserContextOptions = {}): Promise<BrowserContext> => {
    const context = await started(browser, 'browser').newContext({ locale: 'en-GB', ...options });
    contexts.push(context);
    return context;
  };
  return {
    get server() {
      return started(server, 'web server');
    },
    newContext,
    async as(email, width = 1280) {
      const context = await newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      await logIn(page, started(server, 'web server').url, email);
      return page;
    },
  };
}
