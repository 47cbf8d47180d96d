/**
 * kcat 1.7.1 (librdkafka 2.0.2) over SASL_SSL with SCRAM-SHA-512: the right
 * password produces and consumes, a wrong one is refused.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';
import { addUser, startSecureBroker } from '../helpers/secure-broker.ts';

describe('kcat over SASL_SSL with SCRAM-SHA-512', async () => {
  const sb = await startSecureBroker(after);
  await addUser(sb.broker, 'kcat-user', 'kcat-pw');
  const auth = (password: string): string[] => [
    '-b',
    sb.address('SASL_SSL'),
    '-X',
    'security.protocol=SASL_SSL',
    '-X',
    'sasl.mechanisms=SCRAM-SHA-512',
    '-X',
    'sasl.username=kcat-user',
    '-X',
    `sasl.password=${password}`,
    '-X',
    `ssl.ca.location=${sb.certs.ca}`,
  ];

  test('the right password produces and consumes', async () => {
    const topic = topicName('kcat-sasl');
    const lines = Array.from({ length: 100 }, (_, i) => `k${i}\tv${i}`);
    const p = await exec(
      'kcat',
      [...auth('kcat-pw'), '-P', '-t', topic, '-K', '\t', '-X', 'acks=all'],
      `${lines.join('\n')}\n`,
      20_000,
    );
    assert.equal(p.code, 0, p.stderr);
    const c = await exec(
      'kcat',
      [...auth('kcat-pw'), '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\n'],
      '',
      20_000,
    );
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(c.stdout.toString().trim().split('\n'), lines);
    const m = await exec('kcat', [...auth('kcat-pw'), '-L', '-J', '-t', topic], '', 20_000);
    assert.equal(m.code, 0, m.stderr);
    assert.equal(
      JSON.parse(m.stdout.toString()).brokers[0].name,
      sb.address('SASL_SSL'),
      'the SASL_SSL listener is advertised',
    );
  });

  test('a wrong password is refused with SASL_AUTHENTICATION_FAILED', async () => {
    const r = await exec('kcat', [...auth('wrong'), '-L', '-m', '3'], '', 20_000);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/,
    );
  });
});
