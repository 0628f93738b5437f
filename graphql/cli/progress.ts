import { SingleBar, Presets } from 'cli-progress';

/**
 * A progress bar on a terminal, one line per update otherwise (CI logs, pipes): long work
 * always shows how far it is, and a log never fills with carriage returns.
 */
export interface Progress {
  update(done: number, total: number, detail: string): void;
  stop(): void;
}

export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    let last = '';
    return {
      update(done, total, detail) {
        const line = `${label} ${done}/${total} ${detail}`;
        if (line !== last) stream.write(`${line}\n`);
        last = line;
      },
      stop() {},
    };
  }
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {percentage}% {value}/{total} {detail}`,
      stream,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, detail) {
      if (!started) bar.start(total, done, { detail });
      started = true;
      bar.setTotal(total);
      bar.update(done, { detail });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
