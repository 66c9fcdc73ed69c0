import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enrollmentAccess, manualGrantValid } from '#lib/domain/access.ts';

const grant = (until: number | null) => ({ grantedAt: 100, note: null, until });

describe('manual enrollment access', () => {
  it('gives a manual-only enrollment access while the grant is valid, and nothing once `until` has passed (exclusive)', () => {
    assert.deepEqual(enrollmentAccess([], [], 999, grant(1000)), { status: 'active', hasAccess: true });
    assert.deepEqual(enrollmentAccess([], [], 1000, grant(1000)), { status: 'revoked', hasAccess: false });
    assert.deepEqual(enrollmentAccess([], [], 9e15, grant(null)), { status: 'active', hasAccess: true });
    assert.equal(manualGrantValid(grant(1000), 999), true);
    assert.equal(manualGrantValid(grant(1000), 1000), false);
    assert.equal(manualGrantValid(null, 0), false);
  });

  it('adds nothing to a paid purchase, and an expired grant takes nothing from it', () => {
    assert.deepEqual(enrollmentAccess([{ status: 'APPROVED' }], [], 5, grant(null)), { status: 'active', hasAccess: true });
    assert.deepEqual(enrollmentAccess([{ status: 'APPROVED' }], [], 5000, grant(1000)), { status: 'active', hasAccess: true });
  });

  it('gives access over a revoked purchase while valid, and the purchase’s answer back once expired', () => {
    assert.deepEqual(enrollmentAccess([{ status: 'REFUNDED' }], [], 999, grant(1000)), { status: 'active', hasAccess: true });
    assert.deepEqual(enrollmentAccess([{ status: 'REFUNDED' }], [], 1000, grant(1000)), { status: 'revoked', hasAccess: false });
  });

  it('gives access over a suspended (disputed) purchase: the grant is the operator’s decision, status active', () => {
    assert.deepEqual(enrollmentAccess([{ status: 'DISPUTE' }], [], 5, grant(null)), { status: 'active', hasAccess: true });
    assert.deepEqual(enrollmentAccess([{ status: 'DISPUTE' }], [], 5, grant(1)), { status: 'suspended', hasAccess: false });
  });

  it('keeps showing the subscription behind it (its accessUntil is the paid period’s, not the grant’s)', () => {
    const sub = { status: 'cancelled' as const, accessUntil: 1000, charges: [] };
    const seen = enrollmentAccess([], [sub], 5000, grant(null));
    assert.deepEqual({ status: seen.status, hasAccess: seen.hasAccess, accessUntil: seen.subscription?.accessUntil }, { status: 'active', hasAccess: true, accessUntil: 1000 });
  });
});
