import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new migration into migrations/ from src/db/schema.ts.
// Generated migrations are committed and never edited by hand.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
