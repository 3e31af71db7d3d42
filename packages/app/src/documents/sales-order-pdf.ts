import { formatAmount } from '@orderdesk/core';
import type { Order, OrderLine } from '@orderdesk/store';
import { openPdf, tableRow } from './pdf-kit.ts';

/** What a sales order PDF shows: the order as booked, its parties by name. */
export interface SalesOrderDocument {
  order: Order;
  lines: readonly OrderLine[];
  vendorName: string;
  partnerName: string;
  customerName: string;
}

/**
 * Renders the sales order of a booked order as a PDF (A4): its numbers, the PO it answers, the
 * parties, one table of lines and the total. Seed 002: "All order information … issued by email
 * on the corresponding Sales Order email thread".
 */
export async function renderSalesOrderPdf(input: SalesOrderDocument): Promise<Buffer> {
  const { order } = input;
  const number = order.sales_order_number ?? order.number;
  const money = (minor: number | null): string =>
    minor === null ? '—' : formatAmount(minor, order.currency);
  const { doc, done } = await openPdf({ Title: `Sales order ${number}` });
  doc.fontSize(18).text(`${input.vendorName} — Sales order ${number}`);
  doc.fontSize(10).moveDown(0.5);
  doc.text(`Order ${order.number} · Type: ${order.type} · Currency: ${order.currency}`);
  if (order.po_number) doc.text(`Your PO: ${order.po_number}`);
  doc.text(`Partner: ${input.partnerName}`);
  doc.text(`Customer: ${input.customerName}`);
  doc.text(`Submitted: ${order.submitted_at.slice(0, 10)}`);
  doc.moveDown();
  const cols = [50, 150, 350, 400, 470];
  const row = tableRow(doc, cols, 550);
  row(['Part number', 'Product', 'Qty', 'Unit price', 'Amount'], true);
  for (const l of input.lines) {
    row([
      l.part_number,
      l.name ?? '',
      String(l.quantity),
      money(l.unit_price_minor),
      money(l.amount_minor),
    ]);
  }
  doc.moveDown();
  doc
    .font('Helvetica-Bold')
    .text(`Total: ${money(order.total_minor)} ${order.currency}`, 50, doc.y, {
      align: 'right',
      width: 500,
    });
  doc.end();
  return done;
}
