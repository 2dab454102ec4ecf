// Stops the proxies and services; a failed least-privilege check throws here, which fails the jest run.
export default async function globalTeardown() {
  try {
    await globalThis.__IAM_RECORDING__?.finish();
  } finally {
    await Promise.all([globalThis.__EVENT_STORE_SERVICES__?.stop(), globalThis.__SQL_SERVERS__?.stop()]);
  }
}
