import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * The one place a logger is created. Secrets and message text are redacted: customers' words
 * and channel credentials never reach the log at any level we ship (STYLE.md "Logging").
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'kefu-bridge' },
    redact: {
      paths: [
        'config.secret', 'config.token', 'config.encodingAesKey', 'config.clientSecret',
        '*.secret', '*.token', '*.encodingAesKey', '*.clientSecret', '*.password', '*.accessToken', '*.access_token',
        'text', '*.text', 'content', '*.content', 'headers.authorization', 'headers.cookie',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
