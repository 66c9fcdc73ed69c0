import type { ErasureFigures } from '../measure/erasure.ts';
import type { Section } from './format.ts';
import { count, ms } from './format.ts';

/** Erasure on a large table: what a student's erasure and a school's deletion read, among other schools' items. */
export function erasureSection(e: ErasureFigures): Section {
  const row = (what: string, c: ErasureFigures['student']) => `| ${what} | ${count(c.erased)} | ${count(c.itemsRead)} | ${count(c.requests)} | ${ms(c.ms)} |`;
  return {
    title: 'Erasure',
    lines: [
      `DynamoDB Local holding ${count(e.otherItems)} items of 100 other schools (events and enrollments, keyed as the service keys them), then one school with ${count(e.schoolItems)} items, ${count(e.studentItems)} of them one student's. Items read: ScannedCount (else Count) summed over the requests, plus one per GetItem that found an item.`,
      '',
      '| Erasure | items erased | items read | requests | time |',
      '| --- | ---: | ---: | ---: | ---: |',
      row('a student (DELETE …/students/{email})', e.student),
      row('a school (its background erasure, every step)', e.school),
      '',
      'Neither reads an item of another school: the student is found through the byStudent indexes, the school through its 16 bySchool shards (every table), so both costs grow with what is erased, not with the tables.',
    ],
  };
}
