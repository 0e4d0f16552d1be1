/**
 * The Host check a server runs on every request (src/api/host-check.ts, `hostChecker`): the verdicts it keeps
 * by Host header are `hostAllowed`'s, asked once or many times, and however many different headers callers
 * send (test/api/host-check.test.ts has the rules themselves, and the check on every door).
 */
import { hostAllowed, hostChecker } from '../../src/api/host-check';

const HOSTS = [
  'localhost:4000',
  '127.0.0.1',
  '[::1]:80',
  'twins.example.com',
  'evil.example',
  'localhost.evil.example',
  '',
  'a:b:c',
  undefined,
];

describe('the Host check of a server', () => {
  it.each([[[]], [['twins.example.com']], [['*']]])(
    'gives hostAllowed verdicts, again and again (allowed: %j)',
    (allowed) => {
      const check = hostChecker(allowed);
      for (let round = 0; round < 3; round++)
        for (const host of HOSTS) expect([host, check(host)]).toEqual([host, hostAllowed(host, allowed)]);
    },
  );

  it('keeps giving them past the number of verdicts it keeps', () => {
    const check = hostChecker([]);
    for (let i = 0; i < 1000; i++) {
      expect(check(`evil-${i}.example`)).toBe(false);
      expect(check(`10.0.${i % 256}.1:${i}`)).toBe(true);
    }
    expect(check('localhost')).toBe(true);
    expect(check('evil-0.example')).toBe(false);
  });
});
