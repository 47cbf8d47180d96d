/**
 * confluent-kafka-python 1.7.0 (librdkafka 2.0.2, Debian's /usr/bin/python3)
 * with SASL PLAIN over SASL_PLAINTEXT: produce and consume with the right
 * password; a wrong one is refused.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { topicName } from '../helpers/broker.ts';
import { exec } from '../helpers/exec.ts';
import { addUser, startSecureBroker } from '../helpers/secure-broker.ts';

const PY = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('python/sasl_confluent.py', import.meta.url));
const N = 50;

describe('confluent-kafka-python with SASL PLAIN over SASL_PLAINTEXT', async () => {
  const sb = await startSecureBroker(after);
  await addUser(sb.broker, 'py-user', 'py-pw');
  const run = async (
    password: string,
  ): Promise<{ ok: boolean; acked?: number; values?: string[]; errors: string[] }> => {
    const args = [
      SCRIPT,
      sb.address('SASL_PLAINTEXT'),
      topicName('py-sasl'),
      'py-user',
      password,
      'PLAIN',
      'SASL_PLAINTEXT',
      String(N),
    ];
    const r = await exec(PY, args, '', 30_000);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout.toString());
  };

  test('the right password produces and consumes', async () => {
    const s = await run('py-pw');
    assert.equal(s.ok, true, s.errors.join('\n'));
    assert.equal(s.acked, N);
    assert.deepEqual(
      s.values,
      Array.from({ length: N }, (_, i) => `v${i}`),
    );
  });

  test('a wrong password is refused', async () => {
    const s = await run('wrong');
    assert.equal(s.ok, false);
    assert.match(s.errors.join('\n'), /Authentication failed: Invalid username or password/);
  });
});
