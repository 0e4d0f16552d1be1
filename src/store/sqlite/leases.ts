/**
 * Named leases in SQLite (see Leases in ../port.ts): a row of `leases` per name. Taking one is a look and a
 * write in one IMMEDIATE transaction, so the file's write lock makes it one step for every process on the
 * file; their clocks are the one machine's.
 */
import type { LeaseTaken } from '../port';
import type { Row, SqliteDb } from './db';

export async function takeLease(
  db: SqliteDb,
  name: string,
  holder: string,
  leaseMs: number,
): Promise<LeaseTaken | null> {
  db.check();
  return db.connection
    .transaction((): LeaseTaken | null => {
      const now = db.now();
      const held = db.sql('SELECT holder, until FROM leases WHERE name = ?').get(name) as Row | undefined;
      const until = held?.until as number | undefined;
      if (held && held.holder !== holder && until! > now) return null;
      db.sql(
        'INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ' +
          'ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until',
      ).run(name, holder, now + leaseMs);
      return { sincePreviousMs: held && held.holder !== holder ? now - until! : Infinity };
    })
    .immediate();
}

export async function giveLease(db: SqliteDb, name: string, holder: string): Promise<void> {
  db.check();
  db.sql('UPDATE leases SET until = min(until, ?) WHERE name = ? AND holder = ?').run(db.now(), name, holder);
}
