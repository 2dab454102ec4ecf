export default async function globalTeardown() {
  await globalThis.__EVENT_STORE_SERVICES__?.stop();
}
