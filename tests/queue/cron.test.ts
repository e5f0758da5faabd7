import { describe, expect, it } from 'vitest';
import { cronSchedule, everySchedule } from '../../src/queue/cron.ts';
import { isTransient } from '../../src/queue/errors.ts';
import { jobKey } from '../../src/queue/job.ts';

describe('the schedule of digest schedule', () => {
  it('finds the next minute a cron expression matches, in UTC, strictly after the given time', () => {
    const s = cronSchedule('*/15 * * * *');
    expect(s.next(new Date('2024-01-01T10:07:30Z')).toISOString()).toBe('2024-01-01T10:15:00.000Z');
    expect(s.next(new Date('2024-01-01T10:15:00Z')).toISOString()).toBe('2024-01-01T10:30:00.000Z');
    expect(s.next(new Date('2024-01-01T23:59:59Z')).toISOString()).toBe('2024-01-02T00:00:00.000Z');
  });

  it('reads weekday ranges the way graphile-worker does: Saturday evening waits for Monday', () => {
    expect(cronSchedule('0 3 * * 1-5').next(new Date('2024-01-06T20:00:00Z')).toISOString()).toBe('2024-01-08T03:00:00.000Z');
    expect(cronSchedule('30 6 29 2 *').next(new Date('2024-03-01T00:00:00Z')).toISOString()).toBe('2028-02-29T06:30:00.000Z');
  });

  it('rejects expressions graphile-worker cannot read, with its message', () => {
    expect(() => cronSchedule('*/5 * * *')).toThrow(/Invalid cron pattern/);
    expect(() => cronSchedule('61 * * * *')).toThrow(/Too large value '61'/);
    expect(() => cronSchedule('@daily')).toThrow(/Invalid cron pattern/);
    expect(() => cronSchedule('0 0 30 2 *').next(new Date('2024-01-01T00:00:00Z'))).toThrow(/never matches/);
  });

  it('takes --every as a duration of at least one second', () => {
    expect(everySchedule('30s').next(new Date('2024-01-01T00:00:00Z')).toISOString()).toBe('2024-01-01T00:00:30.000Z');
    expect(everySchedule('5m').describe).toBe('every 5m');
    expect(() => everySchedule('500ms')).toThrow(/at least 1s/);
    expect(() => everySchedule('soon')).toThrow(/30s, 5m or 1h/);
  });
});

describe('the queue jobs', () => {
  it('keys a job by path and content hash, so the same content is one job and a change is another', () => {
    expect(jobKey('raw/a.txt', 'abc')).toBe(jobKey('raw/a.txt', 'abc'));
    expect(jobKey('raw/a.txt', 'abc')).not.toBe(jobKey('raw/a.txt', 'abd'));
    expect(jobKey('raw/a.txt', 'abc')).not.toBe(jobKey('raw/b.txt', 'abc'));
  });

  it('retries lost connections, serialization failures, deadlocks and key races, wrapped or not, and nothing else', () => {
    for (const code of ['40001', '40P01', '23505', '08006', '57P01', 'ECONNRESET', 'CONNECTION_CLOSED']) {
      expect(isTransient(Object.assign(new Error('x'), { code }))).toBe(true);
      expect(isTransient(new Error('wrapped', { cause: Object.assign(new Error('x'), { code }) }))).toBe(true);
    }
    expect(isTransient(new TypeError('Cannot read properties of undefined'))).toBe(false);
    expect(isTransient(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(false);
  });
});
