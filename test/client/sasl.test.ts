import assert from 'node:assert/strict';
import { test } from 'node:test';
import { saslExchange } from '../../src/client/sasl.ts';

test('SCRAM-SHA-256 follows the RFC 7677 example exchange', () => {
  const ex = saslExchange({ mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pencil' }, 'rOprNGfwEbeRWgbNEkqO');
  assert.equal(ex.first().toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  const final = ex.next(Buffer.from(serverFirst));
  assert.equal(
    final?.toString(),
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  );
  assert.equal(ex.next(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), null);
});

test('SCRAM rejects a wrong server signature, a foreign nonce and a server error', () => {
  const ex = saslExchange({ mechanism: 'SCRAM-SHA-256', username: 'user', password: 'pencil' }, 'abc');
  ex.first();
  assert.throws(() => ex.next(Buffer.from('r=zzz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')), /malformed server-first/);
  const ex2 = saslExchange({ mechanism: 'SCRAM-SHA-512', username: 'u,=x', password: 'p' }, 'abc');
  assert.equal(ex2.first().toString(), 'n,,n=u=2C=3Dx,r=abc');
  ex2.next(Buffer.from('r=abcdef,s=c2FsdA==,i=4096'));
  assert.throws(() => ex2.next(Buffer.from('v=AAAA')), /server signature does not match/);
  const ex3 = saslExchange({ mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p' });
  ex3.first();
  assert.throws(() => ex3.next(Buffer.from('e=invalid-proof')), /invalid-proof/);
});

test('PLAIN sends authzid-less credentials', () => {
  const ex = saslExchange({ mechanism: 'PLAIN', username: 'alice', password: 's3cret' });
  assert.deepEqual(ex.first(), Buffer.from('\0alice\0s3cret'));
  assert.equal(ex.next(Buffer.alloc(0)), null);
});
