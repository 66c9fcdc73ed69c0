import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Api } from '../client.ts';
import { readAllPages, seg } from '../client.ts';
import type { Context } from '../context.ts';
import { action } from '../context.ts';
import { fields, table } from '../output.ts';
import { targetText } from './targets.ts';

/** The API routes these commands call (the CLI and docs/openapi.json cover the same routes). */
export const routes = [
  'POST /schools/{schoolId}/reconciliations',
  'GET /schools/{schoolId}/reconciliations/{id}',
  'GET /schools/{schoolId}/reconciliations',
  'GET /schools/{schoolId}/events/{eventId}',
] as const;

const instant = (value: string) => {
  if (Number.isNaN(Date.parse(value))) throw new InvalidArgumentError(`"${value}" is not an ISO date (2026-11-28 or 2026-11-28T12:00:00Z)`);
  return new Date(value).toISOString();
};

/** Which students the run granted and revoked: each event id of its report, read back (buyer, transaction, targets). */
async function studentsOf(api: Api, school: string, report: any) {
  const read = async (id: string) => {
    const { body } = await api.request('GET', `/schools/${seg(school)}/events/${seg(id)}`);
    return { eventId: id, email: body.buyerEmail ?? null, transaction: body.transaction ?? null, targets: body.outcome?.effects?.[0]?.targets ?? [] };
  };
  const changes = report?.changes ?? { grants: [], revocations: [] };
  return { granted: await Promise.all(changes.grants.map(read)), revoked: await Promise.all(changes.revocations.map(read)) };
}

const runText = (run: any, students?: { granted: any[]; revoked: any[] }) => {
  const { report, ...rest } = run;
  let text = fields(rest);
  if (report) {
    text += `\nchecked       ${report.checked.sales} sales, ${report.checked.subscriptions} subscriptions\n`;
    text += `alreadyKnown  ${report.alreadyKnown}\napplied       ${report.applied.grants} grants, ${report.applied.revocations} revocations, ${report.applied.other} other\n`;
    text += `skipped       ${report.skipped.unmapped} unmapped (${report.skipped.unmappedProducts.join(', ') || '-'}), ${report.skipped.other} other\n`;
    for (const error of report.errors) text += `error         ${error.scope}: ${error.message}\n`;
  }
  const row = (s: any) => ({ ...s, targets: targetText(s.targets) });
  if (students) text += `\ngranted\n${table(students.granted.map(row), ['email', 'transaction', 'targets', 'eventId'])}\nrevoked\n${table(students.revoked.map(row), ['email', 'transaction', 'targets', 'eventId'])}`;
  return text;
};

/** Reconciliation: a run over a window of Hotmart's sales (lost webhooks applied), waited for with progress. */
export function registerReconcile(program: Command, context: Context): void {
  program.command('reconcile <school>').description('reconciles the school with Hotmart’s API over a window (POST /reconciliations)')
    .option('--from <iso>', 'start of the window (default: 24 hours ago)', instant)
    .option('--to <iso>', 'end of the window (default: now)', instant)
    .option('--wait', 'wait for the run to end, with progress, and print its report and the students it granted or revoked')
    .option('--poll-seconds <n>', 'how often --wait asks', (v) => Number(v), 2)
    .action(action(context, async (ctx, command, school: string, options: { from?: string; to?: string; wait?: boolean; pollSeconds: number }) => {
      const api = await ctx.api(command);
      const out = ctx.out(command);
      const from = options.from ?? new Date(Date.now() - 24 * 3600_000).toISOString();
      let { body: run } = await api.request('POST', `/schools/${seg(school)}/reconciliations`, { body: { from, ...(options.to ? { to: options.to } : {}) } });
      if (!options.wait) return out.result(run, () => `started ${run.id}: ${run.from} → ${run.to}\n(reconciliations ${school} ${run.id} shows it)\n`);
      out.progress(`run ${run.id} started: ${run.from} → ${run.to}`);
      const started = Date.now();
      while (run.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, options.pollSeconds * 1000));
        run = (await api.request('GET', `/schools/${seg(school)}/reconciliations/${seg(run.id)}`)).body;
        out.progress(`… ${run.status} (${Math.round((Date.now() - started) / 1000)} s)`);
      }
      const students = await studentsOf(api, school, run.report);
      out.result({ ...run, students }, () => runText(run, students));
      if (run.status !== 'succeeded') throw new Error(`run ${run.id} ended ${run.status}`);
    }));

  program.command('reconciliations <school> [run]').description('the school’s runs, newest first; with a run id, that run, its report and the students it changed')
    .action(action(context, async (ctx, command, school: string, id: string | undefined) => {
      const api = await ctx.api(command);
      const out = ctx.out(command);
      if (id === undefined) {
        const items = await readAllPages(api, `/schools/${seg(school)}/reconciliations`, {}, (count) => out.progress(`… ${count} runs`));
        return out.result({ items }, () => table(items, ['id', 'trigger', 'status', 'from', 'to', ['grants', (r) => r.report?.applied.grants], ['revocations', (r) => r.report?.applied.revocations]]));
      }
      const { body: run } = await api.request('GET', `/schools/${seg(school)}/reconciliations/${seg(id)}`);
      const students = await studentsOf(api, school, run.report);
      out.result({ ...run, students }, () => runText(run, students));
    }));
}
