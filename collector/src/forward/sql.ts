/**
 * The SQL the README documents for querying the ClickHouse sink directly: the collector's own
 * definitions (docs/metrics.md) written for the forwarder's table. Tests run exactly these strings
 * on ClickHouse 18.16 and on current ClickHouse (chdb) and compare with the query API.
 * Written for both engines: no CTEs over subqueries, no `dateDiff`, no query parameters.
 * Days are UTC here; for another TALLY_TZ write `toDate(time, 'Europe/Berlin')`.
 */

/** DAU (mean over days with events), WAU (mean over ISO weeks with events), MAU (distinct users) for [from, to]. */
export function usageSql(table: string, from: string, to: string): string {
  const where = `toDate(time) BETWEEN toDate('${from}') AND toDate('${to}')`;
  return `SELECT
    (SELECT round(avg(u), 1) FROM (SELECT toDate(time) AS d, uniqExactIf(user_key, user_key != '') AS u FROM ${table} WHERE ${where} GROUP BY d)) AS dau,
    (SELECT round(avg(u), 1) FROM (SELECT toMonday(toDate(time)) AS w, uniqExactIf(user_key, user_key != '') AS u FROM ${table} WHERE ${where} GROUP BY w)) AS wau,
    (SELECT uniqExactIf(user_key, user_key != '') FROM ${table} WHERE ${where}) AS mau`;
}

/** One condition per funnel step `event_type` or `event_type:feature`. */
function stepCondition(step: string): string {
  const [type, feature] = step.split(':');
  const lit = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return feature === undefined ? `event_type = ${lit(type!)}` : `event_type = ${lit(type!)} AND feature = ${lit(feature)}`;
}

/**
 * Users at each step, one column per step (`step_1` … `step_N`): ClickHouse's `windowFunnel`, which
 * the API's funnel equals (docs/metrics.md). Step 1 is counted as "has a step-1 event" because
 * 18.16's windowFunnel answers 0 for a user who repeated step 1 and went no further (fixed in later
 * releases); from step 2 on, `level ≥ k`. Times are milliseconds since the range's start: 18.16's
 * windowFunnel takes only DateTime (whole seconds) or UInt32, and those fit a UInt32 for ranges up
 * to 49 days.
 */
export function funnelSql(table: string, steps: string[], withinMs: number, from: string, to: string): string {
  const base = Date.parse(`${from}T00:00:00Z`);
  const cols = steps.map((_, k) => (k === 0 ? 'countIf(first = 1) AS step_1' : `countIf(level >= ${k + 1}) AS step_${k + 1}`));
  return `SELECT ${cols.join(', ')} FROM (
    SELECT user_key, max(${stepCondition(steps[0]!)}) AS first,
           windowFunnel(${withinMs})(toUInt32(time_ms - ${base}), ${steps.map(stepCondition).join(', ')}) AS level
    FROM ${table}
    WHERE user_key != '' AND toDate(time) BETWEEN toDate('${from}') AND toDate('${to}')
    GROUP BY user_key
)`;
}

/** Day cohorts: a user's cohort is their first active day in all data kept; k = days since. */
export function retentionSql(table: string): string {
  return `SELECT cohort, toInt32(d - cohort) AS k, uniqExact(user_key) AS users FROM (
    SELECT user_key, toDate(time) AS d FROM ${table} WHERE user_key != '' GROUP BY user_key, d
) AS active ALL INNER JOIN (
    SELECT user_key, min(toDate(time)) AS cohort FROM ${table} WHERE user_key != '' GROUP BY user_key
) AS first USING user_key
GROUP BY cohort, k ORDER BY cohort, k`;
}
