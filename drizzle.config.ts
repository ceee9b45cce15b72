import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes SQL migrations to ./migrations from the table files.
// Migrations are committed and never edited once they have landed.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/shared/db/schema.ts',
  out: './migrations',
});
