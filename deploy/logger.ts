import pino, { type Logger } from 'pino';

/** The one logger of a process; components take children of it. */
export function createLogger(options: {
  level: string;
  format: 'json' | 'pretty';
  name: string;
}): Logger {
  return pino({
    name: options.name,
    level: options.level,
    ...(options.format === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' },
          },
        }
      : {}),
  });
}
