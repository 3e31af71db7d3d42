import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('names each bad variable without printing a secret', () => {
    let error: unknown;
    try {
      loadConfig({ SMTP_URL: 'ftp://mailer:s3cret@mail.example:25', PORT: 'eighty' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT="eighty"');
    expect(message).toContain('SMTP_URL="ftp://mailer:***@mail.example:25"');
    expect(message).not.toContain('s3cret');
  });
});
