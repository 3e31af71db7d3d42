// Real Chromium (Debian's) driven by playwright-core, with the helpers the browser tests share:
// logging in, counting the partner's clicks and keystroke groups, screenshots (a failed step
// leaves one), and axe-core run inside the page.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { ROOT } from './web-server.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'e2e/artifacts');

/** Debian's chromium; installed with apt-get when missing and allowed (root on Debian). */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const root = process.getuid?.() === 0;
  if (root && existsSync('/etc/debian_version')) {
    execFileSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (existsSync(CHROMIUM)) return CHROMIUM;
  }
  throw new Error(`Chromium is missing at ${CHROMIUM}: run  apt-get install -y chromium`);
}

export async function launchBrowser(): Promise<Browser> {
  // A FAILED-… screenshot left from an earlier run would read as this run's.
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: ensureChromium(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** What the user sees (the viewport); `fullPage` for the whole page, as failures save it. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  const path = join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/**
 * Runs one named step of a flow; when it fails, the page as it was is saved as
 * e2e/artifacts/FAILED-<name>.png before the error goes on.
 */
export async function step<T>(page: Page, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    await screenshot(page, `FAILED-${name}`, true).catch(() => undefined);
    throw error;
  }
}

/** Counts what the user does: every click, and every run of typing into one field. */
export class UserActions {
  clicks = 0;
  keystrokeGroups = 0;
  get total(): number {
    return this.clicks + this.keystrokeGroups;
  }
  async click(target: Locator): Promise<void> {
    this.clicks += 1;
    await target.click();
  }
  async type(target: Locator, text: string): Promise<void> {
    this.keystrokeGroups += 1;
    await target.click();
    await target.pressSequentially(text);
  }
}

export async function logIn(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('E-mail').fill(email);
  await page.locator('input[type=password]').fill('demo');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/login'));
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core inside the page: the serious and critical violations (WCAG 2.1 A/AA rules). */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  // Evaluated through the DevTools protocol: the page's CSP (no inline scripts) still holds.
  if (!loaded) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    const result = await run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        nodes: v.nodes
          .slice(0, 5)
          .map((n) => `${n.target.join(' ')} (${n.any[0]?.message ?? n.failureSummary ?? ''})`),
      }));
  });
}

/**
 * The serious and critical violations once the page has settled: the pointer away from what
 * was just clicked (a hovered link's colours are not what is checked), the network idle, and
 * every transition that ends (a dialog fading in has blended colours) finished — a spinner's
 * never ends, so only those that do are waited for. A transition cancelled meanwhile (a
 * re-render replaced it: its `finished` rejects with an AbortError, as it did once in CI) is
 * no longer running; the ones that replaced it are waited for in the next round. Each as
 * "label: rule help — nodes".
 */
export async function settledAxeViolations(page: Page, label: string): Promise<string[]> {
  const height = page.viewportSize()?.height ?? 900;
  await page.mouse.move(1, height - 1);
  await page.waitForLoadState('networkidle');
  await page.evaluate(async () => {
    const ending = () =>
      document
        .getAnimations()
        .filter(
          (a) =>
            a.playState === 'running' &&
            Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity),
        );
    for (let round = 0; round < 10; round++) {
      const running = ending();
      if (running.length === 0) return;
      await Promise.all(running.map((a) => a.finished.catch(() => undefined)));
    }
  });
  return (await seriousAxeViolations(page)).map(
    (v) => `${label}: ${v.id} ${v.help} — ${v.nodes.join(', ')}`,
  );
}
