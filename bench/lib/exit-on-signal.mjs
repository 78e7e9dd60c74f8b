// Preloaded (`node --import`) into a collector run under `--cpu-prof`: the profile is only
// written when the process exits normally, so SIGTERM/SIGINT must end in process.exit().
// If the collector handles the signal itself (graceful close), it gets a few seconds first.
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.once(sig, () => {
    if (process.listenerCount(sig) === 0) process.exit(0);
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
