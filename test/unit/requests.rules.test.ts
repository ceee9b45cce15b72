import { describe, expect, it } from 'vitest';
import { addWorkingHours, checkDecider, planApprovers, standingRefusal } from '../../src/modules/requests/requests.rules.js';
import { suggestDatasetIds } from '../../src/catalog/catalog.js';
import { editDistance } from '../../src/catalog/catalog.rules.js';
import { grantEnd } from '../../src/modules/grants/grants.rules.js';
import { splitRequestArgs, validateRequest } from '../../src/modules/requests/requests.usecases.js';
import { makeDataset, testCatalog, USERS } from '../helpers/catalog.js';

const catalog = testCatalog();
const ds = (id: string) => catalog.datasets.find((d) => d.id === id)!;

const approversFor = (c: typeof catalog, d: ReturnType<typeof ds>, requesterId: string, mayDecide?: (id: string) => boolean) =>
  planApprovers(c, d, requesterId, mayDecide).approvers;

describe('who approves', () => {
  it('asks the owners, never the requester', () => {
    expect(approversFor(catalog, ds('crm-contacts'), USERS.marketer)).toEqual([USERS.owner1, USERS.owner2]);
    expect(approversFor(catalog, ds('crm-contacts'), USERS.owner1)).toEqual([USERS.owner2]);
  });
  it('goes to the admins when the requester is the only owner', () => {
    expect(approversFor(catalog, ds('web-analytics'), USERS.marketer)).toEqual([USERS.admin]);
  });
  it('has nobody when the only admin asks for a dataset they alone own', () => {
    const solo = { ...catalog, admins: [USERS.marketer] };
    expect(approversFor(solo, ds('web-analytics'), USERS.marketer)).toEqual([]);
  });
  it('brings in admins to make up approvals_required, and never lowers it', () => {
    const twoKey = makeDataset({ id: 'two-key', owners: [USERS.owner1, USERS.owner2], policy: { approvalsRequired: 2 } });
    expect(planApprovers(catalog, twoKey, USERS.marketer)).toEqual({ approvers: [USERS.owner1, USERS.owner2], required: 2 });
    // the requester is one of the two owners: the admin makes up the second approval
    expect(planApprovers(catalog, twoKey, USERS.owner1)).toEqual({ approvers: [USERS.owner2, USERS.admin], required: 2 });
    const oneOwner = makeDataset({ id: 'one-owner', owners: [USERS.owner1], policy: { approvalsRequired: 3 } });
    expect(planApprovers(catalog, oneOwner, USERS.marketer)).toEqual({ approvers: [USERS.owner1, USERS.admin], required: 3 });
  });
  it('leaves out people who may not decide (guests, deactivated accounts, bots)', () => {
    const guestOwned = makeDataset({ id: 'guest-owned', owners: ['U0GUEST', USERS.owner1] });
    expect(approversFor(catalog, guestOwned, USERS.marketer, (id) => id !== 'U0GUEST')).toEqual([USERS.owner1]);
    const onlyGuest = makeDataset({ id: 'only-guest', owners: ['U0GUEST'] });
    expect(approversFor(catalog, onlyGuest, USERS.marketer, (id) => id !== 'U0GUEST')).toEqual([USERS.admin]);
  });
});

describe('who may decide', () => {
  const request = { requesterId: USERS.marketer };
  it('lets owners and admins decide', () => {
    expect(checkDecider(catalog, ds('crm-contacts'), request, USERS.owner2)).toBeUndefined();
    expect(checkDecider(catalog, ds('crm-contacts'), request, USERS.admin)).toBeUndefined();
  });
  it('refuses anyone else, and the requester even when they own the dataset or are an admin', () => {
    expect(checkDecider(catalog, ds('crm-contacts'), request, USERS.stranger)).toBe('not_an_approver');
    expect(checkDecider(catalog, ds('web-analytics'), request, USERS.marketer)).toBe('own_request');
    expect(checkDecider(catalog, ds('crm-contacts'), { requesterId: USERS.admin }, USERS.admin)).toBe('own_request');
  });
  it('lets only admins decide a request for a dataset no longer in the catalog', () => {
    expect(checkDecider(catalog, undefined, request, USERS.owner1)).toBe('not_an_approver');
    expect(checkDecider(catalog, undefined, request, USERS.admin)).toBeUndefined();
  });
});

describe('validation', () => {
  const base = { requesterId: USERS.marketer, via: 'command' as const };
  it('uses the default duration when none is given', () => {
    expect(validateRequest({ catalog }, { ...base, datasetId: 'campaign-metrics' }).minutes).toBe(24 * 60);
  });
  it('names the maximum when a duration is too long', () => {
    expect(() => validateRequest({ catalog }, { ...base, datasetId: 'campaign-metrics', duration: '15d' })).toThrow(/at most 14 days/);
  });
  it('requires a reason for confidential and restricted data only', () => {
    expect(() => validateRequest({ catalog }, { ...base, datasetId: 'crm-contacts' })).toThrow(/reason is required/);
    expect(validateRequest({ catalog }, { ...base, datasetId: 'campaign-metrics' }).reason).toBeNull();
  });
  it('accepts ids in any case', () => {
    expect(validateRequest({ catalog }, { ...base, datasetId: 'Campaign-Metrics' }).dataset.id).toBe('campaign-metrics');
  });
});

describe('parsing /access request arguments', () => {
  it('reads dataset, duration and reason', () => {
    expect(splitRequestArgs(['crm', '7d', 'for', 'Q1'])).toEqual({ datasetId: 'crm', duration: '7d', reason: 'for Q1' });
  });
  it('treats a non-duration second word as the start of the reason', () => {
    expect(splitRequestArgs(['crm', 'for', 'Q1'])).toEqual({ datasetId: 'crm', reason: 'for Q1' });
  });
  it('keeps a malformed duration as a duration so it is reported, not swallowed', () => {
    expect(splitRequestArgs(['crm', '3x'])).toEqual({ datasetId: 'crm', duration: '3x', reason: undefined });
  });
});

describe('suggestions and ends', () => {
  it('suggests near ids', () => {
    expect(suggestDatasetIds(catalog, 'crm-contcts')).toEqual(['crm-contacts']);
    expect(suggestDatasetIds(catalog, 'campaign')).toEqual(['campaign-metrics']);
    expect(suggestDatasetIds(catalog, 'zzzzzzzz')).toEqual([]);
  });
  it('computes edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  it('ends a grant after its duration', () => {
    expect(grantEnd(new Date('2026-01-01T00:00:00Z'), 90).toISOString()).toBe('2026-01-01T01:30:00.000Z');
  });
});

describe('working hours', () => {
  const at = (iso: string) => new Date(iso);
  it('counts only Monday to Friday, 09:00 to 17:00 in the given zone', () => {
    // Monday 10:00 UTC + 4h → 14:00
    expect(addWorkingHours(at('2026-03-02T10:00:00Z'), 4, 'UTC').toISOString()).toBe('2026-03-02T14:00:00.000Z');
    // Monday 15:00 UTC + 4h → 2h Monday, 2h Tuesday → Tuesday 11:00
    expect(addWorkingHours(at('2026-03-02T15:00:00Z'), 4, 'UTC').toISOString()).toBe('2026-03-03T11:00:00.000Z');
    // Friday 16:00 + 4h → Monday 12:00
    expect(addWorkingHours(at('2026-03-06T16:00:00Z'), 4, 'UTC').toISOString()).toBe('2026-03-09T12:00:00.000Z');
    // a night request starts counting at 09:00 local: Tokyo is UTC+9
    expect(addWorkingHours(at('2026-03-02T20:00:00Z'), 1, 'Asia/Tokyo').toISOString()).toBe('2026-03-03T01:00:00.000Z');
  });
  it('falls back to UTC for an unknown zone', () => {
    expect(addWorkingHours(at('2026-03-02T10:00:00Z'), 1, 'Nowhere/Land').toISOString()).toBe('2026-03-02T11:00:00.000Z');
  });
  it('gives the same moment as counting every 5-minute step, across zones, weekends and clock changes', () => {
    // the definition, one step at a time (what the faster count must agree with)
    const formats = new Map<string, Intl.DateTimeFormat>();
    const parts = (d: Date, timeZone: string) => {
      if (!formats.has(timeZone)) formats.set(timeZone, new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }));
      const p = Object.fromEntries(formats.get(timeZone)!.formatToParts(d).map((x) => [x.type, x.value]));
      return { day: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday!), minutes: Number(p.hour) * 60 + Number(p.minute) };
    };
    const stepwise = (start: Date, hours: number, timeZone: string) => {
      let remaining = Math.round(hours * 60);
      let t = start.getTime();
      for (let i = 0; remaining > 0 && i < 20_000; i++) {
        const { day, minutes } = parts(new Date(t), timeZone);
        if (day >= 1 && day <= 5 && minutes >= 540 && minutes < 1020) remaining -= 5;
        t += 300_000;
      }
      return new Date(t).toISOString();
    };
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'];
    // around the March and October clock changes, and odd minutes
    const starts = ['2026-03-27T22:17:00Z', '2026-03-07T23:59:00Z', '2026-10-24T18:03:00Z', '2026-10-30T08:58:00Z', '2026-11-01T05:31:00Z', '2026-04-03T16:59:30Z'];
    for (const zone of zones) {
      for (const start of starts) {
        for (const hours of [0.01, 1, 4, 8.5, 12, 40]) {
          expect(addWorkingHours(at(start), hours, zone).toISOString(), `${start} + ${hours}h in ${zone}`).toBe(stepwise(at(start), hours, zone));
        }
      }
    }
    // an odd input stays bounded as before: 20,000 steps
    expect(addWorkingHours(at('2026-03-02T10:00:00Z'), 400, 'UTC').toISOString()).toBe(stepwise(at('2026-03-02T10:00:00Z'), 400, 'UTC'));
  });
});

describe('standing', () => {
  it('lets members act and explains every refusal', () => {
    expect(standingRefusal('member')).toBeUndefined();
    expect(standingRefusal('guest')).toMatch(/Guest accounts/);
    expect(standingRefusal('deactivated')).toMatch(/deactivated/);
    expect(standingRefusal('bot')).toMatch(/Bots/);
    expect(standingRefusal('unknown')).toMatch(/could not check/);
  });
});
