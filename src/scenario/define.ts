/**
 * `defineScenario` for scenario files.
 */
import type { ScenarioInput } from './schema.ts';

/**
 * Identity helper that gives a scenario file the schema's types and editor completion:
 * `export default defineScenario({ description: '...', memory: '8GiB', threads: [1, 4], ... })`.
 * Nothing is checked here: `loadScenario` validates the file when it loads it, so the error can name
 * the file.
 */
export function defineScenario(input: ScenarioInput): ScenarioInput {
  return input;
}
