import { z } from 'zod';
import { parseDuration } from '../shared/duration.js';

export const SENSITIVITIES = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** A Slack user id (U…/W…) or an email address to be looked up in Slack. */
const person = z
  .string()
  .trim()
  .refine((v) => /^[UW][A-Z0-9]{2,}$/.test(v) || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v), {
    message: 'must be a Slack user id (like U0123ABC) or an email address',
  });

const duration = z
  .string()
  .refine((v) => parseDuration(v) !== undefined, { message: 'must be a duration like 30m, 4h, 7d or 2w' })
  .transform((v) => parseDuration(v)!);

const datasetSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lower-case letters, digits, - or _ (what people type after /access request)'),
    name: z.string().trim().min(1).max(75),
    description: z.string().trim().max(500).default(''),
    sensitivity: z.enum(SENSITIVITIES, { error: `must be one of ${SENSITIVITIES.join(', ')}` }),
    owners: z.array(person).min(1, 'needs at least one owner'),
    max_duration: duration,
    default_duration: duration,
  })
  .refine((d) => d.default_duration <= d.max_duration, {
    message: 'default_duration must not be longer than max_duration',
    path: ['default_duration'],
  });

export const catalogFileSchema = z.strictObject({
  admins: z.array(person).default([]),
  datasets: z
    .array(datasetSchema)
    .min(1, 'must list at least one dataset')
    .refine((list) => new Set(list.map((d) => d.id)).size === list.length, { message: 'dataset ids must be unique' }),
});

export type CatalogFile = z.infer<typeof catalogFileSchema>;
