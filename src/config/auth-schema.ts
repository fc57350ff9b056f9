import { z } from 'zod';

/**
 * `spec.auth` of sluice.yaml: who may do what, per environment. A grant gives one role on some
 * environments to token names, identity subjects or names, emails and single-sign-on groups.
 */
export const roleNames = ['viewer', 'deployer', 'approver', 'admin'] as const;

const grantSchema = z
  .strictObject({
    role: z
      .enum(roleNames)
      .describe(
        'viewer: read; deployer: sync, set-image and promote into; approver: approve and reject requests; admin: everything, tokens and audit',
      ),
    environments: z
      .array(z.string().min(1))
      .min(1)
      .describe('Environment names the role applies to, or "*" for every one'),
    tokens: z.array(z.string().min(1)).optional().describe('API token names (`sluice token create --name`)'),
    subjects: z.array(z.string().min(1)).optional().describe('Identity subjects or names'),
    emails: z.array(z.string().min(3)).optional().describe('Identity emails'),
    groups: z.array(z.string().min(1)).optional().describe('Groups from the single-sign-on `groups` claim'),
  })
  .refine((g) => [g.tokens, g.subjects, g.emails, g.groups].some((l) => l && l.length > 0), {
    message: 'name at least one of tokens, subjects, emails or groups',
    path: ['role'],
  });

export const authSchema = z
  .object({
    roles: z.array(grantSchema).default([]).describe('Role grants; a token also carries the role it was created with'),
  })
  .describe('Who may do what in which environment');

export type AuthSpec = z.output<typeof authSchema>;
export type RoleGrant = z.output<typeof grantSchema>;
