/** `nn-oracle ops --help` (kept apart from ops.ts so that `help` loads no op). */
export const OPS_HELP = `usage: nn-oracle ops [--json PATH]

Lists every op of the catalogue: its inputs (? marks an optional one), its
attributes with their defaults (required ones marked "required"), and its
outputs.

  --json PATH   write the catalogue as JSON to PATH ("-": standard output):
                [{"name", "inputs": [{"name", "optional", "dtype", "gradient"}],
                  "attributes": [{"name", "default" | "required": true, "expected"}],
                  "outputs": [{"name", "gradient"}]}]`
