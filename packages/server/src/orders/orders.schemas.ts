import { z } from 'zod';
import { orderActionBodySchema } from '@orderdesk/app';
import { PROBLEM_CODES } from '@orderdesk/core';

const actionBody = orderActionBodySchema.out;

/**
 * A problem the desk puts on a hold (`problems[]`): its code is one of the stable problem codes
 * (API.md "Problem codes"), as every problem an order carries, so that clients can rely on it;
 * `invalid` when none is given.
 */
const holdProblemSchema = actionBody.shape.problems
  .unwrap()
  .element.extend({ code: z.enum(PROBLEM_CODES).default('invalid') });

/** The body of an order action (it may be left out entirely), hold problems' codes checked. */
export const orderActionBody = z.preprocess(
  (v) => v ?? {},
  actionBody.extend({
    problems: z.array(holdProblemSchema).max(200).optional(),
  }),
);
