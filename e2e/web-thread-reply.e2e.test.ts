// Answering on an order's e-mail thread from the order page: the partner asks a question (through
// the API, as its ERP or a colleague would), the desk answers it in the browser with the thread's
// Reply form — an empty answer is named at its field first — and the answer shows on the thread,
// for the desk at once and for the partner on its own order page.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { apiAs, placeSkylineOrder } from './support/api.ts';
import { screenshot, settledAxeViolations, step } from './support/browser.ts';
import { webHarness } from './support/harness.ts';

const web = webHarness();

const { as } = web;

const thread = (page: Page) => page.getByRole('region', { name: 'E-mail thread' });

describe.sequential('the thread of an order', () => {
  it('the desk answers the partner’s question on the order page, and the answer shows on the thread', async () => {
    const buyerApi = await apiAs(web.server.url, 'buyer@acme.example');
    const order = await placeSkylineOrder(buyerApi);
    const asked = await buyerApi('POST', `/api/v1/orders/${order.id}/messages`, {
      text: 'When will the subscription be ready?',
    });
    expect(asked.status).toBe(201);

    const answer = 'It is provisioned tomorrow morning; you will get the welcome mail.';
    const desk = await as('desk@skyline.example');
    const found: string[] = [];
    await step(desk, 'thread-question-shown', async () => {
      await desk.goto(`${web.server.url}/orders/${order.id}`);
      await desk.getByTestId('order-title-number').filter({ hasText: order.number }).waitFor();
      await thread(desk).getByText('When will the subscription be ready?').waitFor();
    });
    const reply = thread(desk).getByRole('textbox', { name: 'Reply' });
    await step(desk, 'thread-reply-empty', async () => {
      // Sent empty: the server's problem stands at the field, tied to it.
      await thread(desk).getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => reply.getAttribute('aria-invalid')).toBe('true');
      const error = thread(desk).locator('.mantine-InputWrapper-error');
      await error.first().waitFor();
      expect(await error.first().innerText()).toMatch(/empty|required/i);
      const described = (await reply.getAttribute('aria-describedby')) ?? '';
      const errorId = await error.first().getAttribute('id');
      expect(described.split(' ')).toContain(errorId);
      found.push(...(await settledAxeViolations(desk, 'order thread with a reply error (desk)')));
    });
    await step(desk, 'thread-reply-sent', async () => {
      await reply.fill(answer);
      await thread(desk).getByRole('button', { name: 'Send' }).click();
      await thread(desk).getByText(answer).waitFor();
      // The form is ready for the next message; the answer is addressed to the partner.
      await expect.poll(() => reply.inputValue()).toBe('');
      const card = thread(desk).locator('.mantine-Card-root').filter({ hasText: answer });
      expect(await card.innerText()).toContain('buyer@acme.example');
      expect(await card.innerText()).toMatch(/Re: /);
      await thread(desk).scrollIntoViewIfNeeded();
      await screenshot(desk, 'order-thread-reply');
    });

    // Through the API as the partner: the answer is on its thread, answering its question.
    const messages = await buyerApi('GET', `/api/v1/orders/${order.id}/messages`);
    const items = messages.json.items as { text: string; inReplyTo: string | null; to: string[] }[];
    const sent = items.find((m) => m.text === answer);
    expect(sent).toMatchObject({
      to: ['buyer@acme.example'],
      inReplyTo: asked.json.messageId,
    });

    const buyer = await as('buyer@acme.example');
    await step(buyer, 'thread-answer-seen-by-partner', async () => {
      await buyer.goto(`${web.server.url}/orders/${order.id}`);
      await thread(buyer).getByText(answer).waitFor();
      await thread(buyer).getByRole('textbox', { name: 'Reply' }).waitFor();
      found.push(...(await settledAxeViolations(buyer, 'order thread (partner)')));
    });
    expect(found).toEqual([]);
  });
});
