import type { Me, VendorProfile } from '../../api/client';

type Stage = VendorProfile['workflow']['stages'][number];

/**
 * The queue a user starts on: the first workflow stage one of their roles acts on (the desk
 * the approval queue, finance booking, provisioning provisioning), else the first stage.
 */
export function queueOfRoles(
  workflow: Pick<VendorProfile['workflow'], 'stages'>,
  roles: Me['roles'],
): Stage['status'] | undefined {
  const stages = workflow.stages;
  return (stages.find((s) => s.roles.some((r) => roles.includes(r))) ?? stages[0])?.status;
}
