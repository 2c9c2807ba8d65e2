// Preloaded into a hub process by the sync benchmark when BENCH_HUB_CPU_PROFILE names a folder
// (`--cpu-prof` is not allowed in NODE_OPTIONS): profiles the whole process and writes a
// `.cpuprofile` there when it exits (open it in Chrome DevTools or speedscope).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.BENCH_HUB_CPU_PROFILE;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // The in-thread session answers synchronously, so the profile is written before the process ends.
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(path.join(dir, `hub-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
