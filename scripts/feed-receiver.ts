/**
 * `npm run feed:receive -- --secret whsec_… [--port 4000] [--fail-first N] [--status 503]`: the
 * local feed receiver of cli/feed-receiver.ts (also `npx hotmart-enrollments feed receive`).
 */
import { parseArgs } from 'node:util';
import { startFeedReceiver } from '../cli/feed-receiver.ts';

const { values } = parseArgs({
  options: { secret: { type: 'string' }, port: { type: 'string', default: '4000' }, 'fail-first': { type: 'string', default: '0' }, status: { type: 'string', default: '503' } },
});
if (!values.secret?.startsWith('whsec_')) {
  process.stderr.write('usage: npm run feed:receive -- --secret whsec_… [--port 4000] [--fail-first N] [--status 503]\n');
  process.exit(2);
}
const receiver = await startFeedReceiver({ secret: values.secret, port: Number(values.port), failFirst: Number(values['fail-first']), failStatus: Number(values.status) });
process.stdout.write(`receiving feed deliveries on ${receiver.url} (PUT it as the school's feed url)\n`);
