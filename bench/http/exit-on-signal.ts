// Preloaded (`node --import`) into an app profiled with `--cpu-prof`. Nest closes the app on SIGTERM and then
// raises the signal again to die by it, which skips writing the profile: this turns that second signal into a
// normal exit, which writes it.
let signals = 0;
process.on('SIGTERM', () => {
  if (++signals > 1) process.exit(0);
});
