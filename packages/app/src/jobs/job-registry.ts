// THE list of scheduled jobs. A new job (SLA breach checks, escalation steps, the weekly
// license authorization) is one definition here: the runner, the leases, `orderdesk jobs run`
// and the in-process loop of `serve` and `orderdesk worker` pick it up from this list.
import { issueDueInvoicesJob } from './invoice-job.ts';
import { slaBreachJob } from '../sla/sla-job.ts';
import { escalationStepJob } from '../escalations/escalation-job.ts';
import { weeklyLicenseAuthorizationJob } from '../licenses/license-job.ts';
import type { JobDefinition } from './job.types.ts';

/** Every scheduled job, in the order a pass runs them. */
export function jobDefinitions(): JobDefinition[] {
  return [issueDueInvoicesJob, slaBreachJob, escalationStepJob, weeklyLicenseAuthorizationJob];
}
