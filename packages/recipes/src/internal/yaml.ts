/**
 * yaml's parser on its own, for `parseYaml`: a stable dist file (`dist/yaml.js`) that both builds load with
 * `import()`, so `$ARCRUN_HOME/config.yaml` never loads zod.
 */
export { parse } from "yaml";
