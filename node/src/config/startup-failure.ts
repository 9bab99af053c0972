/**
 * Startup failures a person can fix, each as one line naming the setting to change, instead of
 * a stack trace: the port is taken, the host is not this machine's, the store cannot be opened.
 */
export class StartupFailure extends Error {}

const SYSTEM_CODE = /\b(EADDRINUSE|EACCES|EADDRNOTAVAIL|ENOTFOUND|EAI_AGAIN|EPERM|EROFS|ENOSPC|ENOENT|ENOTDIR)\b/;

/** The errno-style code of an error, also when a library only kept it in its message (grpc-js). */
export function systemCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return code;
  return SYSTEM_CODE.exec(e instanceof Error ? e.message : String(e))?.[1];
}

const LISTEN: Record<string, { readonly reason: string; readonly port: boolean }> = {
  EADDRINUSE: { reason: 'address already in use', port: true },
  EACCES: { reason: 'permission denied (ports below 1024 need privileges)', port: true },
  EADDRNOTAVAIL: { reason: 'address not available on this machine', port: false },
  ENOTFOUND: { reason: 'host name does not resolve', port: false },
  EAI_AGAIN: { reason: 'host name does not resolve (DNS unreachable)', port: false },
};

/** Binds, or fails with "cannot listen on 127.0.0.1:8080: address already in use (set IDNODE_HTTP_PORT)". */
export async function listenOrFail<T>(address: string, portVariable: string, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (e) {
    const known = LISTEN[systemCode(e) ?? ''];
    if (known === undefined) throw e;
    throw new StartupFailure(
      `cannot listen on ${address}: ${known.reason} (set ${known.port ? portVariable : 'IDNODE_HOST'})`,
      { cause: e },
    );
  }
}

/** The first line of the innermost cause: what the system said, under the wrappers (IDN_ERR_STORE_UNAVAILABLE). */
function rootReason(e: unknown): string {
  let err = e;
  while (err instanceof Error && err.cause instanceof Error) err = err.cause;
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

/** Runs a startup step; any failure becomes "cannot <what>: <reason> (<hint>)". */
export async function stepOrFail<T>(what: string, hint: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw new StartupFailure(`cannot ${what}: ${rootReason(e)} (${hint})`, { cause: e });
  }
}
