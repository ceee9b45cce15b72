/**
 * Digest page render times for the reviews bench (bench/reviews.ts), in a process of its own so
 * that the bench's heap (the fake Slack's record of every call) is not counted against the bot:
 * for each owner, loadDigest + the block builder, as the bot's messages worker does for a digest.
 * One page is rendered first and not counted (the database connection opens, as in a running bot).
 *
 *   node --import tsx bench/digest-pages.ts <database url> <campaign id> <owners>
 *
 * Prints the times in ms, as one JSON array on its last line.
 */
import { loadDigest } from '../src/modules/reviews/reviews.usecases.js';
import { openDatabase } from '../src/shared/db/client.js';
import { renderContent } from '../src/slack/messages.render.js';
import { scaleCatalog, scaleOwnerId } from '../test/helpers/seed-grants.js';

async function main(): Promise<void> {
  const [url, campaignId, ownersArg] = process.argv.slice(2);
  const owners = Number(ownersArg);
  if (!url || !campaignId || !(owners > 0)) throw new Error('usage: digest-pages.ts <database url> <campaign id> <owners>');
  const database = await openDatabase({ url });
  try {
    const deps = { db: database.db, catalog: scaleCatalog({ datasets: owners, perDataset: 0 }) };
    const page = async (d: number) => {
      const digest = await loadDigest(deps, campaignId, scaleOwnerId(d));
      if (!digest?.datasets.length) throw new Error(`no digest for ${scaleOwnerId(d)}`);
      return renderContent({ look: 'digest', data: digest });
    };
    await page(0);
    const ms: number[] = [];
    for (let d = 0; d < owners; d++) {
      const s = performance.now();
      await page(d);
      ms.push(performance.now() - s);
    }
    console.log(JSON.stringify(ms));
  } finally {
    await database.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
