import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodedError, ContractError } from './index.js';

class ShelfError extends CodedError<'EMPTY' | 'FULL'> {
  override readonly name = 'ShelfError';
}

describe('CodedError, the base of every error class', () => {
  it('given a class that only names itself, when thrown with a cause, then it carries its code, name, message and cause', () => {
    const cause = new Error('disk');
    const error = new ShelfError('FULL', 'no room on the shelf', { cause });
    assert.equal(error.code, 'FULL');
    assert.equal(error.name, 'ShelfError');
    assert.equal(error.message, 'no room on the shelf');
    assert.equal(error.cause, cause);
    assert.equal(String(error), 'ShelfError: no room on the shelf');
    assert.ok(error.stack?.includes('no room on the shelf'));
  });

  it('given two classes on the base, when one is thrown, then instanceof tells them apart', () => {
    const error: unknown = new ShelfError('EMPTY', 'nothing left');
    assert.ok(error instanceof ShelfError && error instanceof CodedError && error instanceof Error);
    assert.ok(!(error instanceof ContractError));
    assert.equal((error as ShelfError).cause, undefined);
    assert.ok(!Object.hasOwn(error as object, 'cause'));
  });
});
