import type { VendorProfile } from '../../api/client';

/**
 * Whether completing an order of this type lets provisioning choose to send the end user the
 * welcome e-mail: only where the profile leaves it open (`welcomeEmail: optional`, e.g.
 * Northwind renewals). `always` sends it and `never` does not, whatever the request says, so
 * the choice is not offered (and not sent) there.
 */
export function offersWelcomeEmailChoice(
  profile: Pick<VendorProfile, 'orderTypes'> | undefined,
  orderType: string,
): boolean {
  return profile?.orderTypes.find((t) => t.key === orderType)?.welcomeEmail === 'optional';
}
