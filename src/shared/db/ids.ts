const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `id` can name a row of a `uuid` column. Ids arrive from buttons and forms a client may
 * have crafted; one that is not a UUID names nothing, rather than making Postgres raise 22P02.
 */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
