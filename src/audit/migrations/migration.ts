/** A versioned schema change, with its SQL for each engine (embedded: tsc does not copy .sql files). */
export interface Migration {
  version: number;
  name: string;
  sql: { sqlite: string; postgres: string };
}

/** Column types, so one schema text serves both engines. */
export interface SchemaDialect {
  bigint: string;
  int: string;
  text: string;
  bool: string;
}
