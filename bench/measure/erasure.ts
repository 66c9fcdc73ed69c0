/**
 * Erasure on a large table: 100,000 items of other schools, then one school with a few hundred
 * items and a student with a few dozen. Measures, for the student's erasure and the school's
 * deletion, the items DynamoDB read (ScannedCount, else Count, summed), the requests and the time.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDeps } from '#lib/adapters/dynamodb/index.ts';
import { createErasureStore } from '#lib/adapters/dynamodb/erasure-store.ts';
import { schoolKeys } from '#lib/adapters/dynamodb/keys.ts';
import { createSchoolEraser } from '#lib/adapters/dynamodb/school-eraser.ts';
import { loadConfig } from '#lib/config.ts';
import { scopeOf } from '#lib/domain/school.ts';
import { eraseStudent } from '#lib/services/erasure.ts';
import { eraseSchoolStep } from '#lib/services/school-erasure.ts';
import { deleteSchool, putSchool } from '#lib/services/schools.ts';
import { startDynamoDbLocal } from '../../scripts/local/dynamodb.ts';
import { createTables } from '../../scripts/local/tables.ts';

export type ErasureCost = { itemsRead: number; requests: number; ms: number; erased: number };
export type ErasureFigures = { otherItems: number; schoolItems: number; studentItems: number; student: ErasureCost; school: ErasureCost };

const OTHER_ITEMS = 100_000;
const SCHOOL_ITEMS = 400;
const STUDENT_ITEMS = 40;

export async function measureErasure(): Promise<ErasureFigures> {
  const dynamodb = await startDynamoDbLocal();
  try {
    const tables = await createTables(dynamodb.endpoint, `bench-erasure-${Date.now()}`);
    Object.assign(process.env, tables, { DYNAMODB_ENDPOINT: dynamodb.endpoint, AWS_REGION: 'us-east-1', LOG_LEVEL: 'SILENT' });
    const config = loadConfig();
    const deps = createDynamoDeps(config);
    const meter = { itemsRead: 0, requests: 0, on: false };
    deps.db.middlewareStack.add(
      (next: any) => async (args: any) => {
        const result: any = await next(args);
        if (meter.on) {
          meter.requests++;
          meter.itemsRead += result.output.ScannedCount ?? result.output.Count ?? (result.output.Item ? 1 : 0);
        }
        return result;
      },
      { step: 'initialize', name: 'benchMeter' },
    );
    const put = async (table: string, items: Record<string, unknown>[]) => {
      for (let i = 0; i < items.length; i += 25) {
        let requests: any = { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
        while (requests && Object.keys(requests).length) requests = (await deps.db.send(new BatchWriteCommand({ RequestItems: requests }))).UnprocessedItems;
      }
    };
    /** Items as the service keys them: event records (with the buyer's student index) and enrollments. */
    const itemsOf = (scope: string, n: number, email: (i: number) => string) => {
      const { keys, attributes } = schoolKeys(scope);
      const events = Array.from({ length: n / 2 }, (_, i) => ({ ...keys.event(`${scope}-e${i}`), buyerEmail: email(i), buyerName: 'Bench Buyer', transaction: `HP${i}`, ...attributes.student(email(i)) }));
      const enrollments = Array.from({ length: n / 2 }, (_, i) => ({ ...keys.enrollment(email(i), { type: 'course', id: `c${i}` }), email: email(i), [`tx:HP${i}`]: 'APPROVED' }));
      return { events, enrollments };
    };
    for (let s = 0; s < 100; s++) {
      const other = itemsOf(`other-${s}#${String(s).padStart(10, '0')}`, OTHER_ITEMS / 100, (i) => `buyer${i}@example.com`);
      await put(tables.EVENTS_TABLE!, other.events);
      await put(tables.ENROLLMENTS_TABLE!, other.enrollments);
    }
    const { school } = await putSchool('measured', 'Measured', deps);
    const scope = scopeOf(school);
    const mine = itemsOf(scope, SCHOOL_ITEMS, (i) => (i < STUDENT_ITEMS / 2 ? 'student@example.com' : `buyer${i}@example.com`));
    await put(tables.EVENTS_TABLE!, mine.events);
    await put(tables.ENROLLMENTS_TABLE!, mine.enrollments);

    const measure = async (run: () => Promise<number>): Promise<ErasureCost> => {
      Object.assign(meter, { itemsRead: 0, requests: 0, on: true });
      const start = performance.now();
      const erased = await run();
      const ms = performance.now() - start;
      meter.on = false;
      return { itemsRead: meter.itemsRead, requests: meter.requests, ms, erased };
    };
    const student = await measure(async () => {
      const { erased } = await eraseStudent('student@example.com', { erasure: createErasureStore(deps.db, config.tables, schoolKeys(scope)) });
      return erased.events + erased.enrollments;
    });
    await deleteSchool('measured', { schools: deps.schools, eraseSchool: async () => {} });
    const schoolCost = await measure(async () => {
      let job: any = { schoolId: 'measured', incarnation: school.incarnation };
      let erased = 0;
      for (;;) {
        let next: any;
        const step = await eraseSchoolStep(job, Date.now() + 60_000, { eraser: createSchoolEraser(deps.db, config.tables), schools: deps.schools, launch: async (j) => void (next = j), cacheTtlMs: 0 });
        erased += step.deleted;
        if (step.step !== 'continued') return erased;
        job = next;
      }
    });
    return { otherItems: OTHER_ITEMS, schoolItems: SCHOOL_ITEMS, studentItems: STUDENT_ITEMS, student, school: schoolCost };
  } finally {
    await dynamodb.stop();
  }
}
