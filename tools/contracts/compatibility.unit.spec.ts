import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkType } from './compatibility.ts';
import { compatibleChanges } from './fixtures/compatible.ts';
import { incompatibleChanges } from './fixtures/incompatible.ts';

describe('the compatibility check on deliberately incompatible changes', () => {
  for (const { name, spec, expect } of incompatibleChanges) {
    it(`given ${name}, when checked, then it fails naming the field and the two versions`, async () => {
      assert.equal(expect.compatible, false);
      if (expect.compatible) return;
      const findings = await checkType('Fixture', spec);
      assert.ok(findings.length > 0, 'the check passed an incompatible change');
      assert.ok(
        findings.some((finding) => finding.field === expect.field && finding.writer === expect.writer && finding.reader === expect.reader),
        `expected ${expect.field} v${expect.writer} → v${expect.reader}, got ${JSON.stringify(findings.map(({ field, writer, reader, signal }) => ({ field, writer, reader, signal })))}`,
      );
    });
  }
});

describe('the compatibility check on compatible changes', () => {
  for (const { name, spec } of compatibleChanges) {
    it(`given ${name}, when checked, then it passes`, async () => {
      assert.deepEqual(await checkType('Fixture', spec), []);
    });
  }
});
