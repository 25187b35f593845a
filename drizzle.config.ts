import { defineConfig } from 'drizzle-kit';

// Used only by `npm run db:generate`, which writes SQL into migrations/ for review.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './migrations',
});
