import { text, timestamp } from 'drizzle-orm/pg-core';

/** Every row of Doppel belongs to exactly one tenant. */
export const tenantColumn = () => text().notNull();

export const timestamps = {
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
};
