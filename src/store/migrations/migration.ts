/** One versioned step of the schema: applied once, in its own transaction, with its `user_version` bump. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}
