#!/usr/bin/env node
import("../dist/cli/main.js")
  .then((m) => m.main(process.argv))
  .then(
    (code) => process.exit(code ?? 0),
    (error) => {
      console.error(`countersign: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(2);
    },
  );
