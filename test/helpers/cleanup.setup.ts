import { afterAll, inject } from 'vitest';
import { removeAllTestQueues } from './queues.js';

// Runs after each test file's own hooks: whatever queues the file's bots used are removed.
afterAll(async () => {
  await removeAllTestQueues(inject('redisUrl'));
});
