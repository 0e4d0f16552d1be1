/**
 * `twingraph keys create | list | revoke`: API keys for partners and services, in the configured store
 * (TWINGRAPH_DB or NEO4J_URI), beside a running server or without one. A new key is printed once and never
 * again (the store keeps only its hash); every replica sees it, and a revocation, within seconds.
 */
import { ApiKeys } from '../access/api-keys';
import { isRole, ROLES } from '../access/identity';
import { storeConfigFromEnv } from '../config';
import { UsageError } from '../errors';
import { openStore } from '../store/open';

export interface KeysCommandIo {
  readonly env?: NodeJS.ProcessEnv;
  readonly out?: (text: string) => void;
}

async function withKeys<T>(io: KeysCommandIo, run: (keys: ApiKeys) => Promise<T>): Promise<T> {
  const store = await openStore(storeConfigFromEnv(io.env ?? process.env));
  try {
    return await run(new ApiKeys(store));
  } finally {
    await store.close();
  }
}

const print = (io: KeysCommandIo, text: string): void => (io.out ?? ((s) => process.stdout.write(s)))(text);

export async function createKeyCommand(
  options: { name: string; role: string; models?: string; expires?: string; json?: boolean },
  io: KeysCommandIo = {},
): Promise<number> {
  if (!isRole(options.role)) throw new UsageError(`--role is one of ${ROLES.join(', ')}: not '${options.role}'.`);
  const models = options.models
    ?.split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  if (models?.some((m) => !/^dtmi:[A-Za-z0-9_:]+;[1-9][0-9]{0,8}(\.[0-9]{1,6})?$/.test(m)))
    throw new UsageError(
      `--models takes DTMIs separated by commas (dtmi:com:example:Room;1): not '${options.models}'.`,
    );
  const created = await withKeys(io, (keys) =>
    keys.create({
      name: options.name,
      role: options.role as never,
      ...(models?.length && { models }),
      ...(options.expires !== undefined && { expires: options.expires }),
    }),
  );
  if (options.json) print(io, JSON.stringify(created) + '\n');
  else
    print(
      io,
      `${created.key}\n\nThe API key '${created.name}' (${created.role}${models?.length ? `, models ${models.join(', ')}` : ''}${created.expires ? `, expires ${created.expires}` : ''}).\n` +
        'Keep it now: it is not shown again. Send it as "Authorization: Bearer <key>".\n',
    );
  return 0;
}

export async function listKeysCommand(options: { json?: boolean }, io: KeysCommandIo = {}): Promise<number> {
  const list = await withKeys(io, (keys) => keys.list());
  const shown = list.map(({ hash: _hash, ...key }) => key);
  if (options.json) print(io, JSON.stringify(shown) + '\n');
  else if (shown.length === 0) print(io, 'No API keys.\n');
  else
    print(
      io,
      shown
        .map(
          (k) =>
            `${k.name}\t${k.role}\t${k.models?.join(',') ?? 'all models'}\tcreated ${k.created}` +
            `${k.expires ? `\texpires ${k.expires}` : ''}${k.revoked ? `\tREVOKED ${k.revoked}` : ''}`,
        )
        .join('\n') + '\n',
    );
  return 0;
}

export async function revokeKeyCommand(name: string, io: KeysCommandIo = {}): Promise<number> {
  const revoked = await withKeys(io, (keys) => keys.revoke(name));
  if (!revoked) throw new UsageError(`There is no API key '${name}' to revoke (or it was revoked already).`);
  print(io, `Revoked the API key '${name}'.\n`);
  return 0;
}
