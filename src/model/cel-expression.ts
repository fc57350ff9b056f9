import { parse as parseCel } from '@marcbachmann/cel-js';
import { z } from 'zod';

/**
 * A CEL expression, checked for syntax when sluice.yaml is read so the error names its line.
 * Both the project's own fields and a target's part (Kubernetes health checks) use it.
 */
export const celExpression = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    try {
      parseCel(text);
    } catch (e) {
      const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      ctx.addIssue({ code: 'custom', message: `is not valid CEL: ${first}` });
    }
  });
