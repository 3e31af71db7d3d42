// An order body built over real HTTP, for the tests that drive a running server process
// (crash.test.ts here, backup.test.ts in the CLI): one edgeworks kit renewal line of the
// buyer's, priced from the API, the PO total computed in minor units (exact money).
import { formatAmount, multiplyMinor, toMinor } from '@orderdesk/core';

const QUANTITY = 2;

/** The buyer's order body for a PO number: licenses only, nothing ships. */
export async function kitRenewalOrderBody(
  base: string,
  token: string,
): Promise<(po: string) => unknown> {
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const customers = await get<{ items: { id: string }[] }>('/api/v1/customers');
  let kit: { partNumber: string } | undefined;
  let cursor: string | null = null;
  do {
    const page: {
      items: { partNumber: string; type: string; active: boolean }[];
      nextCursor: string | null;
    } = await get(
      `/api/v1/products?vendor=edgeworks&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    kit = page.items.find((p) => p.active && p.type === 'kit' && p.partNumber.includes('-RENEW-'));
    cursor = page.nextCursor;
  } while (!kit && cursor);
  if (!kit) throw new Error('no edgeworks kit renewal');
  const prices = await get<{ items: { netPrice: string }[] }>(
    `/api/v1/prices?vendor=edgeworks&partNumbers=${kit.partNumber}`,
  );
  const unitPrice = prices.items[0]!.netPrice;
  const total = formatAmount(multiplyMinor(toMinor(unitPrice, 'USD'), QUANTITY), 'USD');
  const today = new Date().toISOString().slice(0, 10);
  return (po) => ({
    vendor: 'edgeworks',
    type: 'kits_renewal',
    customerId: customers.items[0]!.id,
    purchaseOrder: { number: po, date: today, currency: 'USD', total },
    lines: [{ partNumber: kit.partNumber, quantity: QUANTITY, unitPrice }],
  });
}
