/**
 * One gallery example: TypeScript source that imports from "flux-ts" and `export default`s the
 * workflow to run, with the input the Run button starts it with.
 */
export interface Example {
  /** Stable id, used in the page URL and in the store of sources. */
  readonly id: string;
  readonly title: string;
  /** One line: what to look at in the timeline. */
  readonly summary: string;
  /** The default export's workflow name (imported histories of it replay with this source). */
  readonly workflow: string;
  /** The input as JSON text (empty for none). */
  readonly input: string;
  readonly source: string;
}
