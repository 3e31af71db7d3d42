// The weekly authorization of pre-bundled licenses (seed 002: "a check weekly to authorize any
// unauthorized licenses"), at each vendor's licensing.weeklyAuthorizationJob cron in its SLA
// calendar's time zone. The job itself runs every few minutes; for each vendor it authorizes
// the pre-bundled licenses registered by that vendor's latest cron slot, so a run missed while
// no process was up is caught up, and a license registered after the slot waits for the next.
// authorizeLicenses changes only unauthorized rows: a second pass authorizes nothing twice.
import {
  authorizeLicenses,
  findVendorById,
  listUnauthorizedPreBundled,
  listVendors,
} from '@orderdesk/store';
import { SYSTEM_ACTOR, recordEvent } from '../events/record-event.ts';
import { cronSlots, everyMinutes, type JobDefinition, type JobSummary } from '../jobs/job.types.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';

const BATCH = 500;
const slotsByCron = new Map<string, (now: Date) => Date | null>();

export const weeklyLicenseAuthorizationJob: JobDefinition = {
  name: 'licenses.authorize-pre-bundled',
  description: 'Authorize pre-bundled licenses at each vendor’s weekly licensing cron',
  slotAt: everyMinutes(5),
  leaseMs: 10 * 60_000,
  async run({ ctx, now, shouldContinue }): Promise<JobSummary> {
    const summary = { authorized: 0, vendors: 0 };
    const db = ctx.store.db;
    for (const { id } of await listVendors(db, {})) {
      if (!shouldContinue()) break;
      const vendor = await findVendorById(db, id);
      if (!vendor) continue;
      const profile = await profileOfVendor(db, vendor);
      const weekly = profile.licensing?.weeklyAuthorizationJob;
      if (!weekly) continue;
      const key = `${weekly.cron}@${profile.sla.calendar.timeZone}`;
      let slots = slotsByCron.get(key);
      if (!slots) {
        slots = cronSlots(weekly.cron, profile.sla.calendar.timeZone);
        slotsByCron.set(key, slots);
      }
      const slot = slots(now);
      if (slot === null) continue;
      summary.vendors += 1;
      for (;;) {
        const due = await listUnauthorizedPreBundled(db, {
          vendorId: vendor.id,
          registeredBy: slot.toISOString(),
          limit: BATCH,
        });
        if (due.length === 0) break;
        // One event per bundled order (its thread gets the profile's license.authorized mail).
        const byOrder = new Map<string, typeof due>();
        for (const l of due) {
          const k = l.order_id ?? `partner:${l.partner_id}`;
          byOrder.set(k, [...(byOrder.get(k) ?? []), l]);
        }
        const at = now.toISOString();
        for (const group of byOrder.values()) {
          const first = group[0];
          if (!first) continue;
          await db.transaction().execute(async (tx) => {
            const keys = group.map((l) => l.license_key);
            const n = await authorizeLicenses(tx, vendor.id, keys, at);
            if (n === 0) return;
            summary.authorized += n;
            await recordEvent(tx, {
              type: 'license.authorized',
              entityId: first.order_id ?? first.id,
              vendorId: vendor.id,
              partnerId: first.partner_id,
              actor: SYSTEM_ACTOR,
              at,
              data: { licenseIds: keys, orderId: first.order_id },
            });
          });
        }
        if (due.length < BATCH) break;
      }
    }
    return summary;
  },
};
