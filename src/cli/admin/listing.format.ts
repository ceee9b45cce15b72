import { printJson } from './context.js';
import { textTable } from './table.format.js';

/** How a list command shows its rows: one JSON document, or a table (or a line saying there is nothing). */
export interface Listing<T> {
  /** The JSON document's key for the rows, e.g. `grants`. */
  key: string;
  /** What a terminal shows when no row matches. */
  empty: string;
  header: string[];
  row(item: T): string[];
  json(item: T): Record<string, unknown>;
}

/** Prints `items` as `listing` says: `{count, <key>: […]}` with `--json`, else a padded table. */
export function printListing<T>(items: T[], listing: Listing<T>, asJson: boolean | undefined): void {
  if (asJson) printJson({ count: items.length, [listing.key]: items.map(listing.json) });
  else if (items.length === 0) console.log(listing.empty);
  else process.stdout.write(textTable(listing.header, items.map(listing.row)));
}
