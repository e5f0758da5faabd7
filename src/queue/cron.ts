import { parseCronItem } from 'graphile-worker';

/** When `digest schedule` runs next. */
export interface Schedule {
  /** As the user wrote it, for logs: `cron 0 * * * *` or `every 30s`. */
  describe: string;
  /** The first tick strictly after `after`. */
  next(after: Date): Date;
}

/** Minutes searched for a cron match before giving up (a bit over four years: leap days). */
const SEARCH_MINUTES = 4 * 366 * 24 * 60 + 1;

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week, numbers, ranges,
 * lists and steps; times in UTC), parsed and matched by graphile-worker's own cron parser
 * (`parseCronItem`), so `digest schedule` and a graphile-worker crontab read expressions the
 * same way. Only the next tick is computed here: the runs happen in this process, not as
 * queue jobs, because the schedule must also work on the embedded database. Throws with
 * graphile-worker's message on an invalid expression.
 */
export function cronSchedule(expr: string): Schedule {
  const item = parseCronItem({ task: 'digest_schedule', match: expr.trim(), identifier: 'digest_schedule' });
  return {
    describe: `cron ${expr.trim()} (UTC)`,
    next(after: Date): Date {
      const t = new Date(after.getTime());
      t.setUTCSeconds(0, 0);
      for (let i = 0; i < SEARCH_MINUTES; i++) {
        t.setUTCMinutes(t.getUTCMinutes() + 1);
        const digest = { min: t.getUTCMinutes(), hour: t.getUTCHours(), date: t.getUTCDate(), month: t.getUTCMonth() + 1, dow: t.getUTCDay() };
        if (item.match(digest)) return new Date(t.getTime());
      }
      throw new Error(`the cron expression "${expr}" never matches (e.g. 30 February)`);
    },
  };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A fixed interval, `--every 30s` (units ms, s, m, h; at least one second): the first tick is
 * one interval after the start, each next one an interval after the previous tick. For
 * folders polled more often than cron's one minute, and for tests.
 */
export function everySchedule(text: string): Schedule {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new Error(`--every ${text}: write a duration such as 30s, 5m or 1h`);
  const ms = Number(m[1]) * UNITS[m[2]!]!;
  if (!(ms >= 1000)) throw new Error(`--every ${text}: the interval must be at least 1s`);
  return { describe: `every ${text.trim()}`, next: (after) => new Date(after.getTime() + ms) };
}
