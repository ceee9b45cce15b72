import { describe, expect, it } from 'vitest';
import { BotStartingError, postSigned } from '../../src/sandbox/sandbox.signing.js';

describe('the sandbox before its bot listens', () => {
  it('refuses to post with a plain "still starting" error (the page answers 503), not a URL parser’s message', async () => {
    const attempt = postSigned('', 'secret', 'command=%2Faccess', 'application/x-www-form-urlencoded');
    await expect(attempt).rejects.toBeInstanceOf(BotStartingError);
    await expect(attempt).rejects.toThrow(/still starting; try again/);
  });
});
